// Runs a request (requests.js) on an engine: embeddings, Q, K, V, the
// attention kernel, and one result. No DOM here; the same runner computes on
// the page, in the worker (worker.js) and, for long input, over the pool's
// rows (transport.js chooses).
//
// A result is { query, key, value, params, output, weights [H, NQ, NK],
// heads, n: NQ, queries, keys, dim, valueDim, rowTokens, colTokens, request,
// perf }: request is the engine.attention request that made it, perf
// { attentionMs, embedMs, flops, withEmbedding? } the engine calls' times
// (embedMs null when Q/K/V were reused) and attentionFlops of the request.
// A long request's result is its overview { long: 'overview', values
// [rows, cols], rows, cols, b, c, output [N, D], n, ms } or its zoomed
// region { long: 'zoom', values [Z, Z], q0, k0, size, n, ms } (long.js).
// A model request's result is { model: { name, info, tokens, total,
// attentions, layers, embedding, similarity, ms } } (every layer); the views
// take one layer of it as the one result type (modelLayerResult).
import { crossAttention } from './cross.js';
import { computeOverview, computeZoom, engineRows, headRequest, poolRows } from './long.js';
import { readModelFiles } from './local-model.js';
import { attentionFlops, paramsFor, timed } from './model.js';

/**
 * Returns { compute(request, options) }. compute gives the request's result;
 * a long request's is a promise, with options { pool, progress(fraction) }:
 * rows from the pool when one is given, else from this engine. report(stage)
 * is told 'embedding' and 'attention' as each starts (the worker's progress).
 * Q/K/V are remembered while the tokens, heads and seed stay the same, and
 * the last result while its key stays the same, so switching the displayed
 * head or retyping the same text costs nothing. keepResult false: only Q/K/V
 * are remembered, so the caller may transfer the result's arrays (the worker
 * does).
 */
export function createRunner(engine, { report = () => {}, keepResult = true } = {}) {
  let embedded = { key: null, qkv: null };
  let last = { key: null, result: null };

  /** Q/K/V of a text request's tokens, and the time embedding took (null when remembered). */
  function qkvOf(request) {
    const key = JSON.stringify([request.embed.queryTokens, request.heads, request.seed, request.dim]);
    if (embedded.key === key) return { qkv: embedded.qkv, embedMs: null };
    embedded = { key: null, qkv: null };
    report('embedding');
    const run = timed(() => engine.embedText({ tokens: request.embed.queryTokens, heads: request.heads, dim: request.dim, seed: request.seed }));
    embedded = { key, qkv: run.value };
    return { qkv: run.value, embedMs: run.ms };
  }

  /** The engine request of a text or matrix request on Q/K/V qkv. */
  function engineRequest(request, qkv) {
    const { heads, queries, keys, dim, valueDim, variant, causal, window, temperature } = request;
    return {
      query: qkv.query, key: qkv.key, value: qkv.value,
      heads, queries, keys, dim, valueDim, variant, causal, window, temperature,
      params: paramsFor(engine, request, keys, dim),
      ...(request.mask ? { mask: request.mask, keyPadding: request.keyPadding } : {}),
    };
  }

  function computeNow(request) {
    if (request.mode === 'cross') {
      // crossAttention embeds both texts and attends in one call: its time includes the embedding.
      const { value: run, ms } = timed(() => crossAttention(engine, {
        source: request.embed.keyTokens, target: request.embed.queryTokens, heads: request.heads, seed: request.seed,
        dim: request.dim, variant: request.variant, causal: request.causal, window: request.window,
        temperature: request.temperature, k: request.k, maxTokens: Math.max(request.queries, request.keys),
        ...(request.mask ? { mask: request.mask, keyPadding: request.keyPadding } : {}),
      }));
      return resultOf(request, run.request, run, { attentionMs: ms, embedMs: null, withEmbedding: true });
    }
    const { qkv, embedMs } = request.matrices ? { qkv: request.matrices, embedMs: null } : qkvOf(request);
    report('attention');
    const call = engineRequest(request, qkv);
    const run = timed(() => engine.attention(call));
    return resultOf(request, call, run.value, { attentionMs: run.ms, embedMs });
  }

  async function computeLong(request, { pool = null, progress = () => {} } = {}) {
    const { qkv } = qkvOf(request);
    const start = performance.now();
    const one = headRequest(request, qkv, request.head, paramsFor(engine, request, request.keys));
    const source = pool ? poolRows(pool, one) : engineRows(engine, one);
    try {
      const result = request.plan === 'zoom'
        ? { long: 'zoom', ...(await computeZoom(source, request.queries, request.region)) }
        : { long: 'overview', ...(await computeOverview(source, request.queries, progress)) };
      result.ms = performance.now() - start;
      return result;
    } finally {
      source.release();
    }
  }

  // The models, each loaded once (the first request naming it): the bundled
  // ones by name, and of the models opened from disk only the newest that
  // loaded (an older one is released once a newer one has loaded, so a broken
  // new one leaves the old one working).
  const models = new Map();
  function modelOf(request, progress) {
    const key = request.source ? `local:${request.source.id}` : request.model;
    if (!models.has(key)) {
      const onProgress = ({ loaded, total }) => progress(total > 0 ? loaded / total : 0);
      const loading = request.source
        ? readModelFiles(request.source.files, onProgress).then((files) => engine.loadModel({ files }))
        : engine.loadModel(request.model, { onProgress });
      loading.then(
        (model) => {
          if (!request.source) return;
          for (const [other, older] of models) {
            if (other.startsWith('local:') && other !== key) {
              models.delete(other);
              older.then((m) => m.release(), () => {});
            }
          }
          return model;
        },
        () => models.delete(key), // a failed load is tried again next time
      );
      models.set(key, loading);
    }
    return models.get(key);
  }

  async function computeModel(request, { progress = () => {} } = {}) {
    report('loading model');
    const model = await modelOf(request, progress);
    report('attention');
    const start = performance.now();
    const run = model.run({ text: request.text });
    const ms = performance.now() - start;
    // A sentence embedding is the bundled encoder's; GPT-2 and BERT give none to compare.
    const other = request.compareText === null || !model.hasEmbedding ? null : model.run({ text: request.compareText });
    return {
      model: {
        name: request.name ?? request.model,
        local: Boolean(request.source),
        info: model.info,
        tokens: run.tokens,
        total: run.total,
        attentions: run.attentions,
        layers: run.layers,
        embedding: run.embedding,
        similarity: other ? cosine(run.embedding, other.embedding) : null,
        compareTokens: other ? other.tokens.length : 0,
        next: run.next ?? null,
        ms,
      },
    };
  }

  function compute(request, options) {
    if (request.mode === 'long') return computeLong(request, options);
    if (request.mode === 'model') return computeModel(request, options);
    if (last.key === request.key) return last.result;
    last = { key: null, result: null };
    const result = computeNow(request);
    if (keepResult) last = { key: request.key, result };
    return result;
  }

  return { compute };
}

/** The cosine of two vectors. */
export function cosine(a, b) {
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return ab / Math.sqrt(aa * bb);
}

// GPT-2's byte-level pieces write each byte as one printable character
// (bytes_to_unicode: the printable Latin-1 bytes as themselves, the others as
// U+0100 onwards, in byte order): this is the way back.
const BYTE_OF_CHAR = (() => {
  const printable = (b) => (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
  const map = new Map();
  let next = 0;
  for (let b = 0; b < 256; b++) map.set(String.fromCharCode(printable(b) ? b : 256 + next++), b);
  return map;
})();
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** A GPT-2 piece's text: its bytes decoded as UTF-8, or null when they are not whole characters. */
function byteLevelText(piece) {
  const bytes = [];
  for (const char of piece) {
    const byte = BYTE_OF_CHAR.get(char);
    if (byte === undefined) return null;
    bytes.push(byte);
  }
  try {
    return strictUtf8.decode(Uint8Array.from(bytes));
  } catch {
    return null;
  }
}

/**
 * How a model's token is shown: SentencePiece's word-start mark (▁) as a
 * visible space; a GPT-2 piece as the text its bytes spell (a part of a
 * character stays as the piece is written), with a leading space as ␣ and
 * newlines as ⏎.
 */
export function modelTokenLabel(piece, family = 'use') {
  if (family !== 'gpt2') return piece.replace(/^▁/, '␣');
  const text = byteLevelText(piece);
  if (text === null) return piece;
  return text.replace(/^ /, '␣').replace(/\n/g, '⏎');
}

/**
 * One layer (0-based, clamped to the model's) of a model result, as the one
 * result type: that layer's Q, K, V [heads, T, head width], weights and head
 * outputs, and the engine.attention request that gives them again (the
 * steps and breakdown views trace its rows through the same core).
 */
export function modelLayerResult(modelResult, layer) {
  const m = modelResult.model;
  const l = Math.min(Math.max(layer, 0), m.layers.length - 1);
  const { heads, headWidth, scale, query, key, value, output } = m.layers[l];
  const T = m.tokens.length;
  const tokens = m.tokens.map((piece) => modelTokenLabel(piece, m.info.family));
  // GPT-2 attends only to earlier tokens: the traced rows need its causal mask.
  const causal = m.info.family === 'gpt2';
  const request = { query, key, value, heads, queries: T, keys: T, dim: headWidth, valueDim: headWidth, variant: 'scaled_dot', causal, window: null, temperature: 1, scale };
  return {
    query, key, value, params: undefined, output, weights: m.attentions[l], heads, n: T, queries: T, keys: T,
    dim: headWidth, valueDim: headWidth, rowTokens: tokens, colTokens: tokens, request,
    perf: null, layer: l, model: m,
  };
}

/** The one result type (see above) of request, made by the engine call `call` with answer { weights, output }. */
function resultOf(request, call, { weights, output }, times) {
  return {
    query: call.query,
    key: call.key,
    value: call.value,
    params: call.params,
    output,
    weights,
    heads: call.heads,
    n: call.queries,
    queries: call.queries,
    keys: call.keys,
    dim: call.dim,
    valueDim: call.valueDim ?? call.dim,
    rowTokens: request.rowTokens,
    colTokens: request.colTokens,
    request: call,
    perf: { ...times, flops: attentionFlops(call) },
  };
}
