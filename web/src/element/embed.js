// The iframe page (embed.html#text=...&variant=...): one <attention-playground>
// configured by the hash, controls minimal unless the hash says otherwise, and
// a link that opens the same state in the full playground.
import { bindElementToHash } from './hash-sync.js';
import './index.js';

const element = document.querySelector('attention-playground');
const link = document.querySelector('[data-testid="open-playground"]');
const note = document.querySelector('[data-testid="hash-note"]');
bindElementToHash(element, {
  onNote: (message) => {
    note.textContent = message;
    note.hidden = message === '';
  },
  onChange: (hash) => {
    link.href = `./index.html${hash}`;
    document.documentElement.dataset.theme = element.state.theme ?? 'light';
  },
});
