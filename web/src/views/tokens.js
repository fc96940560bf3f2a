// Token chips: a draw-only component. Each token is a chip whose text is set
// with textContent, so markup typed by the user shows as text.

export function createTokenChips(container) {
  let chips = [];
  let marked = [];

  function draw(tokens, total) {
    chips = tokens.map((token, i) => {
      const chip = document.createElement('span');
      chip.className = 'token';
      chip.dataset.index = String(i);
      chip.textContent = token;
      return chip;
    });
    const nodes = [...chips];
    if (total > tokens.length) {
      const more = document.createElement('span');
      more.className = 'token token-more';
      more.textContent = `+${total - tokens.length} more`;
      nodes.push(more);
    }
    container.replaceChildren(...nodes);
    container.dataset.count = String(total);
    marked = [];
  }

  /** Marks the chips of the hovered query and key (nulls clear the marks). */
  function highlight(query, key) {
    for (const chip of marked) chip.classList.remove('is-query', 'is-key');
    marked = [];
    if (query !== null && chips[query]) {
      chips[query].classList.add('is-query');
      marked.push(chips[query]);
    }
    if (key !== null && chips[key]) {
      chips[key].classList.add('is-key');
      marked.push(chips[key]);
    }
  }

  return { draw, highlight };
}
