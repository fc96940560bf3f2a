// The CSP example's script, served as written: the JS API computes under the
// page's policy too.
import { loadAttention } from '../attention-playground.js';

const result = document.querySelector('[data-testid="api-result"]');
try {
  const engine = await loadAttention();
  const { weights } = engine.attention({
    query: new Float32Array([1, 0, 0, 1]),
    key: new Float32Array([1, 0, 0, 1]),
    value: new Float32Array([1, 2, 3, 4]),
    queries: 2,
    keys: 2,
    dim: 2,
    causal: true,
  });
  result.textContent = `JS API weights: ${Array.from(weights, (w) => w.toFixed(4)).join(', ')}`;
} catch (error) {
  result.textContent = `The WebAssembly core failed to load: ${error.message}`;
}
