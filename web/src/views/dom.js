// The one element builder of the page's components: properties are assigned
// (textContent, never HTML), children appended. And two writers that skip
// writes of the value an element already has.
export function el(tag, props = {}, children = []) {
  const node = document.createElement(tag);
  Object.assign(node, props);
  node.append(...children);
  return node;
}

// Chromium restyles an element, and lays the page out again, whenever hidden
// or textContent is assigned, even the value it already has. Code that runs on
// every frame of a slider drag writes through these, so only changes cost.
export function setHidden(node, hidden) {
  if (node.hidden !== hidden) node.hidden = hidden;
}

export function setText(node, text) {
  if (node.textContent !== text) node.textContent = text;
}
