// "Copy as PyTorch": a runnable Python script that rebuilds the playground's
// Q, K, V, mask and options, computes the weights in PyTorch and checks them
// against the playground's with torch.testing.assert_close. No DOM here.
//
// Legend: batch 1, H heads, NQ queries, NK keys, D query/key width, DV value
// width, DA additive hidden width, E model width of nn.MultiheadAttention.
//
// The semantics written out, as README "Semantics" states them:
//   allowed[i, j] = causal (j <= i) & window (|i − j| <= w) & mask[i, j] & ~keyPadding[j]
//   scaled_dot, hard, top_k: score = q·k · scale / temperature (scale = 1/√D unless given)
//   dot: q·k / temperature; general: qᵀ W k / temperature;
//   additive: vᵀ tanh(Wq q + Wk k) / temperature
//   weights = softmax over the allowed (top_k: the k best allowed; hard: one-hot
//   at the best) keys; a query with no allowed key gets zeros, not NaN.
// SDPA does not return its weights, so the script computes them explicitly and
// also calls F.scaled_dot_product_attention for the output where it applies.
import { pyBoolTensor, pyFloatTensor, pyInt, pyNumber, pyStringList } from './python.js';

/** Above this many numbers in total the script would be too large to paste. */
export const MAX_SNIPPET_NUMBERS = 1 << 18;

const VARIANTS = ['scaled_dot', 'dot', 'general', 'additive', 'hard', 'top_k'];
const TOLERANCE = 'rtol=1e-4, atol=1e-5';

/**
 * The script for engine.attention(request) and its results.
 * options: the request's fields (query, key, value, heads, queries, keys, dim,
 * valueDim, variant, causal, window, mask, keyPadding, temperature, scale,
 * params), weights [H, NQ, NK] (required: the numbers to check), output
 * [H, NQ, DV] (optional: checked too), rowTokens / colTokens (optional).
 */
export function pytorchSnippet(options) {
  const o = readOptions(options);
  const { H, NQ, NK, D, DV } = o;
  const sizeCheck = H * NQ * D + H * NK * (D + DV) + 2 * H * NQ * NK + (o.output ? H * NQ * DV : 0);
  guardSize(sizeCheck);

  const lines = [
    '# Attention Playground: these weights rebuilt in PyTorch and checked against the playground.',
    '# Needs PyTorch 2.1 or later (the scale argument of scaled_dot_product_attention).',
    `# variant ${o.variant}; legend: batch 1, H heads, NQ queries, NK keys, D width of q and k, DV width of v.`,
    'import math',
    '',
    'import torch',
    'import torch.nn.functional as F',
    '',
    `H, NQ, NK, D, DV = ${H}, ${NQ}, ${NK}, ${D}, ${DV}`,
  ];
  if (o.rowTokens) lines.push(`query_tokens = ${pyStringList(o.rowTokens)}`);
  if (o.colTokens) lines.push(`key_tokens = ${pyStringList(o.colTokens)}`);
  lines.push(
    '',
    '# Q [1, H, NQ, D], K [1, H, NK, D], V [1, H, NK, DV]: float32, as in the playground.',
    `q = ${pyFloatTensor(o.query, [H, NQ, D])}.unsqueeze(0)`,
    `k = ${pyFloatTensor(o.key, [H, NK, D])}.unsqueeze(0)`,
    `v = ${pyFloatTensor(o.value, [H, NK, DV])}.unsqueeze(0)`,
    '',
    ...maskLines(o),
    '',
    ...scoreLines(o),
    '',
    '# The playground\'s weights [1, H, NQ, NK].',
    `expected = ${pyFloatTensor(o.weights, [H, NQ, NK])}.unsqueeze(0)`,
    'print("weights:", weights)',
    `torch.testing.assert_close(weights, expected, ${TOLERANCE})`,
  );
  if (o.output) {
    lines.push(
      `expected_output = ${pyFloatTensor(o.output, [H, NQ, DV])}.unsqueeze(0)`,
      `torch.testing.assert_close(output, expected_output, ${TOLERANCE})`,
    );
  }
  lines.push('print("PyTorch agrees with the playground.")', '');
  return lines.join('\n');
}

function readOptions(options) {
  const variant = options.variant ?? 'scaled_dot';
  if (!VARIANTS.includes(variant)) throw new TypeError(`variant: expected one of ${VARIANTS.join(', ')}, got ${String(variant)}`);
  const H = options.heads ?? 1;
  const NQ = options.queries;
  const NK = options.keys;
  const D = options.dim;
  const DV = options.valueDim ?? D;
  for (const [name, value] of Object.entries({ heads: H, queries: NQ, keys: NK, dim: D, valueDim: DV })) pyInt(value, name);
  if (!options.weights) throw new TypeError('weights: the playground\'s weights are needed to check against');
  return { ...options, variant, H, NQ, NK, D, DV, temperature: options.temperature ?? 1 };
}

function guardSize(count) {
  if (count > MAX_SNIPPET_NUMBERS) {
    throw new RangeError(
      `Too large to copy as PyTorch: ${count} numbers (the limit is ${MAX_SNIPPET_NUMBERS}); use fewer tokens or heads`,
    );
  }
}

// attn_mask [NQ, NK], True = may attend, built from every condition in force.
function maskLines({ causal, window, mask, keyPadding, NQ, NK }) {
  const lines = [
    '# Which keys each query may attend: one explicit boolean mask, True = may attend',
    '# (the boolean convention of scaled_dot_product_attention). Every condition must hold.',
    'i = torch.arange(NQ)[:, None]',
    'j = torch.arange(NK)[None, :]',
    'attn_mask = torch.ones(NQ, NK, dtype=torch.bool)',
  ];
  if (causal) lines.push('attn_mask &= j <= i  # causal, top-left aligned like torch.tril (also when NQ != NK)');
  if (window != null) lines.push(`attn_mask &= (i - j).abs() <= ${pyInt(window, 'window')}  # window: |i - j| <= w`);
  if (mask) lines.push(`attn_mask &= ${pyBoolTensor(mask, [NQ, NK])}  # the mask editor: 1 = may attend`);
  if (keyPadding) {
    lines.push(
      `key_padding = ${pyBoolTensor(keyPadding, [NK])}  # True = padding, never attended`,
      'attn_mask &= ~key_padding[None, :]',
    );
  }
  return lines;
}

function scaleLines({ scale, temperature }, usesScale) {
  const t = `temperature = ${pyNumber(temperature, 'temperature')}`;
  if (!usesScale) return [t];
  const s = scale === undefined ? '1 / math.sqrt(D)' : pyNumber(scale, 'scale');
  return [t, `scale = ${s} / temperature  # the temperature folded into the scale`];
}

const SOFTMAX = [
  'weights = torch.softmax(scores.masked_fill(~attn_mask, float("-inf")), dim=-1)',
  'weights = weights.nan_to_num(0.0)  # a query with no allowed key: zeros, as in the playground',
];

function scoreLines(o) {
  const { variant, params = {}, D } = o;
  switch (variant) {
    case 'scaled_dot':
    case 'dot':
      return [
        ...(variant === 'dot' ? ['# dot: score = q.k / temperature (scale 1).', ...scaleLines({ ...o, scale: 1 }, true)] : [
          '# scaled_dot: score = q.k * scale / temperature.',
          ...scaleLines(o, true),
        ]),
        'scores = q @ k.transpose(-2, -1) * scale  # [1, H, NQ, NK]',
        ...SOFTMAX,
        'output = weights @ v  # [1, H, NQ, DV]',
        '',
        '# scaled_dot_product_attention gives the same output (it does not return the weights).',
        'sdpa = F.scaled_dot_product_attention(q, k, v, attn_mask=attn_mask, scale=scale)',
        'sdpa = sdpa.nan_to_num(0.0)  # older PyTorch gives NaN for a query with no allowed key',
        `torch.testing.assert_close(sdpa, output, ${TOLERANCE})`,
      ];
    case 'general':
      requireParams(params, ['W'], variant);
      return [
        '# general (Luong): score = q^T W k / temperature. SDPA has no W, so the math is written out.',
        `W = ${pyFloatTensor(params.W, [D, D])}  # [D, D]`,
        ...scaleLines(o, false),
        'scores = q @ W @ k.transpose(-2, -1) / temperature  # [1, H, NQ, NK]',
        ...SOFTMAX,
        'output = weights @ v',
      ];
    case 'additive': {
      requireParams(params, ['Wq', 'Wk', 'v'], variant);
      const DA = params.v.length;
      return [
        '# additive (Bahdanau): score = v_a^T tanh(Wq q + Wk k) / temperature. SDPA cannot do this,',
        '# so the math is written out.',
        `DA = ${DA}`,
        `Wq = ${pyFloatTensor(params.Wq, [DA, D])}  # [DA, D]`,
        `Wk = ${pyFloatTensor(params.Wk, [DA, D])}  # [DA, D]`,
        `v_a = ${pyFloatTensor(params.v, [DA])}  # [DA]`,
        ...scaleLines(o, false),
        '# (q Wq^T) [1, H, NQ, 1, DA] + (k Wk^T) [1, H, 1, NK, DA], then tanh and v_a: [1, H, NQ, NK]',
        'scores = torch.tanh((q @ Wq.T)[..., :, None, :] + (k @ Wk.T)[..., None, :, :]) @ v_a / temperature',
        ...SOFTMAX,
        'output = weights @ v',
      ];
    }
    case 'hard':
      return [
        '# hard: weight 1 on the allowed key with the highest scaled_dot score. Not a softmax,',
        '# so the math is written out. argmax takes the first of equal maxima, as the playground',
        '# does; exact ties are rare, but near-ties can round differently in the two programs.',
        ...scaleLines(o, true),
        'scores = (q @ k.transpose(-2, -1) * scale).masked_fill(~attn_mask, float("-inf"))',
        'best = scores.argmax(dim=-1)  # [1, H, NQ]',
        'weights = F.one_hot(best, NK).to(torch.float32) * attn_mask.any(dim=-1, keepdim=True)',
        'output = weights @ v',
      ];
    case 'top_k':
      requireParams(params, ['k'], variant);
      return [
        '# top_k: softmax over the k highest allowed scaled_dot scores, zero elsewhere. Not one',
        '# SDPA call, so the math is written out. On exactly equal scores the playground keeps',
        '# the lower key index; topk does not promise an order for ties.',
        `top_k = ${pyInt(params.k, 'params.k')}`,
        ...scaleLines(o, true),
        'scores = (q @ k.transpose(-2, -1) * scale).masked_fill(~attn_mask, float("-inf"))',
        'top = scores.topk(min(top_k, NK), dim=-1).indices',
        'kept = torch.zeros(scores.shape, dtype=torch.bool).scatter(-1, top, torch.ones_like(top, dtype=torch.bool))',
        'kept &= attn_mask  # fewer than k allowed keys: only the allowed ones',
        'weights = torch.softmax(scores.masked_fill(~kept, float("-inf")), dim=-1).nan_to_num(0.0)',
        'output = weights @ v',
      ];
    default:
      throw new TypeError(`variant: ${variant}`);
  }
}

function requireParams(params, names, variant) {
  for (const name of names) {
    if (params[name] === undefined) throw new TypeError(`params.${name}: the ${variant} variant needs it to write the script`);
  }
}

/**
 * The script for engine.multiHeadAttention(request) and its results: builds
 * torch.nn.MultiheadAttention(E, H, batch_first=True), copies in the
 * projections and checks its per-head weights (and output) against the
 * playground's. options: the request's fields (query [NQ, E], key [NK, E],
 * value [NK, E], heads, queries, keys, embedDim, inProjWeight [3E, E],
 * inProjBias [3E], outProjWeight [E, E], outProjBias [E], causal, keyPadding
 * [NK]), weights [H, NQ, NK], output [NQ, E] (optional), rowTokens, colTokens.
 */
export function pytorchMultiheadSnippet(options) {
  const H = options.heads ?? 1;
  const NQ = options.queries;
  const NK = options.keys;
  const E = options.embedDim ?? options.query.length / NQ;
  for (const [name, value] of Object.entries({ heads: H, queries: NQ, keys: NK, embedDim: E })) pyInt(value, name);
  if (!options.weights) throw new TypeError('weights: the playground\'s weights are needed to check against');
  guardSize((NQ + 2 * NK) * E + 4 * E * E + 4 * E + H * NQ * NK + (options.output ? NQ * E : 0));
  const inBias = options.inProjBias ?? new Float32Array(3 * E);
  const outBias = options.outProjBias ?? new Float32Array(E);

  const lines = [
    '# Attention Playground: nn.MultiheadAttention rebuilt in PyTorch and checked against the playground.',
    '# Legend: batch 1, H heads, NQ queries, NK keys, E model width (each head E / H wide).',
    'import torch',
    '',
    `H, NQ, NK, E = ${H}, ${NQ}, ${NK}, ${E}`,
  ];
  if (options.rowTokens) lines.push(`query_tokens = ${pyStringList(options.rowTokens)}`);
  if (options.colTokens) lines.push(`key_tokens = ${pyStringList(options.colTokens)}`);
  lines.push(
    '',
    'mha = torch.nn.MultiheadAttention(E, H, batch_first=True)',
    'mha.eval()',
    'with torch.no_grad():',
    '    # rows 0..E-1 project queries, E..2E-1 keys, 2E..3E-1 values (y = x W^T + b)',
    `    mha.in_proj_weight.copy_(${pyFloatTensor(options.inProjWeight, [3 * E, E], { indent: '    ' })})`,
    `    mha.in_proj_bias.copy_(${pyFloatTensor(inBias, [3 * E], { indent: '    ' })})`,
    `    mha.out_proj.weight.copy_(${pyFloatTensor(options.outProjWeight, [E, E], { indent: '    ' })})`,
    `    mha.out_proj.bias.copy_(${pyFloatTensor(outBias, [E], { indent: '    ' })})`,
    '',
    '# Inputs [1, NQ, E] and [1, NK, E].',
    `x_q = ${pyFloatTensor(options.query, [NQ, E])}.unsqueeze(0)`,
    `x_k = ${pyFloatTensor(options.key, [NK, E])}.unsqueeze(0)`,
    `x_v = ${pyFloatTensor(options.value, [NK, E])}.unsqueeze(0)`,
    '',
    '# nn.MultiheadAttention\'s boolean masks mean the opposite of SDPA\'s: True = may NOT attend.',
    options.causal
      ? 'attn_mask = torch.ones(NQ, NK, dtype=torch.bool).triu(1)  # causal: key j > query i is forbidden'
      : 'attn_mask = None',
    options.keyPadding
      ? `key_padding_mask = ${pyBoolTensor(options.keyPadding, [NK])}[None, :]  # [1, NK], True = padding`
      : 'key_padding_mask = None',
    'with torch.no_grad():',
    '    output, weights = mha(x_q, x_k, x_v, attn_mask=attn_mask, key_padding_mask=key_padding_mask,',
    '                          need_weights=True, average_attn_weights=False)',
    '# A query with no allowed key: NaN in PyTorch. The playground gives it zero weights, so its',
    '# heads\' outputs are zero and its output is out_proj\'s bias.',
    'weights = weights.nan_to_num(0.0)',
    'output = torch.where(output.isnan(), mha.out_proj.bias.detach(), output)',
    '',
    '# The playground\'s per-head weights [1, H, NQ, NK].',
    `expected = ${pyFloatTensor(options.weights, [H, NQ, NK])}.unsqueeze(0)`,
    'print("weights:", weights)',
    `torch.testing.assert_close(weights, expected, ${TOLERANCE})`,
  );
  if (options.output) {
    lines.push(
      `expected_output = ${pyFloatTensor(options.output, [NQ, E])}.unsqueeze(0)`,
      `torch.testing.assert_close(output, expected_output, ${TOLERANCE})`,
    );
  }
  lines.push('print("PyTorch agrees with the playground.")', '');
  return lines.join('\n');
}
