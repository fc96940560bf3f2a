// A page that hosts one <attention-playground> configured by the page's URL
// hash, the same #text=...&variant=... hash as the main page: the hash sets
// the element's attributes, and edits made in the element are written back
// to the hash, so the address is always a link to what is shown. A hash is
// untrusted: values that had to be clamped or were unreadable are reported.
import { variants } from '../../../wasm/index.js';
import { describeHashChanges, readHash, toHash } from '../state/table.js';
import { elementTable } from './attributes.js';

const TABLE = elementTable([...variants]);

/**
 * Keeps element and the location hash in step. fallback gives attribute
 * values for keys the hash does not set (for example { controls: 'full' });
 * onChange(hash) is called with the state's full hash after every change,
 * onNote(message) with what was adjusted in a hash the page was given ('' if nothing).
 */
export function bindElementToHash(element, { fallback = {}, onChange = () => {}, onNote = () => {} } = {}) {
  // This page says what it changed in its hash (onNote); the element need not say it again of its attributes.
  element.reportsAdjustments = false;
  function fromLocation() {
    onNote(describeHashChanges(readHash(TABLE, window.location.hash)));
    const params = new URLSearchParams(window.location.hash.replace(/^#/, ''));
    for (const { name } of TABLE) {
      const value = params.has(name) ? params.get(name) : (fallback[name] ?? null);
      if (value === null) element.removeAttribute(name);
      else if (element.getAttribute(name) !== value) element.setAttribute(name, value);
    }
  }

  function toLocation() {
    const hash = toHash(TABLE, element.state);
    if (hash !== window.location.hash) window.history.replaceState(null, '', hash);
    onChange(hash);
  }

  fromLocation();
  toLocation();
  window.addEventListener('hashchange', fromLocation);
  new MutationObserver(toLocation).observe(element, { attributes: true });
}
