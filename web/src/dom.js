// The one element builder of the page's components: properties are assigned
// (textContent, never HTML), children appended.
export function el(tag, props = {}, children = []) {
  const node = document.createElement(tag);
  Object.assign(node, props);
  node.append(...children);
  return node;
}
