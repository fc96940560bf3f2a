// The playground as one HTML file (dist/attention-playground.html): the build
// inlines this module, and the WASM core as base64, into single-file.html, so
// the file works from disk or an e-mail attachment with nothing beside it.
import './inline-wasm.js';
import { bindElementToHash } from './hash-sync.js';
import './index.js';

bindElementToHash(document.querySelector('attention-playground'), { fallback: { controls: 'full' } });
