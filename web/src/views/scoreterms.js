// The query–key breakdown (BertViz's neuron view): a score written as a sum
// of per-dimension terms, so one can see which dimensions drive it. Pure
// functions over Float32Array vectors; no DOM here.
//
// Shapes: q, k [D]; general W [D, D]; additive Wq, Wk [DA, D], v [DA].

const DOT_VARIANTS = new Set(['scaled_dot', 'dot', 'hard', 'top_k']);

/**
 * The terms whose sum is the variant's raw score (before scale and temperature):
 *   scaled_dot, dot, hard, top_k: term_d = q_d · k_d,           Σ = q·k
 *   general:                      term_d = q_d · (W k)_d,       Σ = qᵀ W k
 *   additive:                     term_a = v_a · tanh((Wq q)_a + (Wk k)_a),  Σ = vᵀ tanh(Wq q + Wk k)
 * Returns { terms: Float64Array, total, term (how one term is formed), score (what Σ is) }.
 */
export function scoreTerms(variant, q, k, params = {}) {
  const d = q.length;
  if (DOT_VARIANTS.has(variant)) {
    const terms = new Float64Array(d);
    for (let i = 0; i < d; i++) terms[i] = q[i] * k[i];
    return { terms, total: sum(terms), term: 'q_d · k_d', score: 'q·k' };
  }
  if (variant === 'general') {
    const wk = matVec(params.W, k, d, d);
    const terms = new Float64Array(d);
    for (let i = 0; i < d; i++) terms[i] = q[i] * wk[i];
    return { terms, total: sum(terms), term: 'q_d · (W k)_d', score: 'qᵀ W k' };
  }
  if (variant === 'additive') {
    const da = params.v.length;
    const wq = matVec(params.Wq, q, da, d);
    const wk = matVec(params.Wk, k, da, d);
    const terms = new Float64Array(da);
    for (let a = 0; a < da; a++) terms[a] = params.v[a] * Math.tanh(wq[a] + wk[a]);
    return { terms, total: sum(terms), term: 'v_a · tanh(Wq q + Wk k)_a', score: 'vᵀ tanh(Wq q + Wk k)' };
  }
  throw new RangeError(`scoreTerms: unknown variant ${variant}`);
}

/** M [rows, cols] times x [cols], in float64. */
export function matVec(m, x, rows, cols) {
  const y = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let c = 0; c < cols; c++) s += m[r * cols + c] * x[c];
    y[r] = s;
  }
  return y;
}

function sum(values) {
  let s = 0;
  for (const v of values) s += v;
  return s;
}
