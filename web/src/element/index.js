// The element folder's entry. The element walks the data as the page does
// (playground/controller.js: text -> tokens -> request -> Q, K, V -> kernel
// -> weights -> view, the file of each step named in compute/requests.js),
// inside its shadow root (shell.js, view-boxes.js).
//
// The embeddable playground, built as one ES module file
// (dist/attention-playground.js, its .wasm beside it). Importing it defines
// <attention-playground>; it also exports the JS API, so a tutorial page
// needs this one file for both:
//
//   <script type="module" src="attention-playground.js"></script>
//   <attention-playground text="the cat sat on the mat" heads="2" causal></attention-playground>
//
//   import { loadAttention, tokenize } from './attention-playground.js';
import { AttentionPlaygroundElement } from './element.js';

export { loadAttention, tokenize, variants } from '../../../wasm/index.js';
export { AttentionPlaygroundElement };

if (!customElements.get('attention-playground')) {
  customElements.define('attention-playground', AttentionPlaygroundElement);
}
