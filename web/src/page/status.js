// The page's status, perf and progress lines: pure functions of the frame
// (playground/controller.js) to the words shown. No DOM here.
import { MAX_TOKENS, shapeOf } from '../compute/model.js';

/** The status line under the figure for a computed frame of the text, matrix or cross input. */
export function statusOf(state, result, cutFrom, head) {
  const { queries, keys } = shapeOf(result);
  if (result.model) {
    const { name, info, total } = result.model;
    const cut = total > queries ? `Showing the first ${queries} of ${total} tokens (the model's limit) · ` : '';
    return `${cut}${queries} model token${queries === 1 ? '' : 's'} · ${name} · layer ${result.layer + 1} of ${info.layers} · head ${head} of ${result.heads}`;
  }
  if (state.input === 'matrix') return `Q ${queries} × ${result.dim}, K ${keys} × ${result.dim}, V ${keys} × ${result.valueDim} · ${state.variant}`;
  if (state.input === 'cross') return `${queries} target × ${keys} source tokens · ${state.variant} · head ${head} of ${result.heads}`;
  if (cutFrom) return `Showing the first ${MAX_TOKENS} of ${cutFrom} tokens`;
  return `${queries} token${queries === 1 ? '' : 's'} · ${state.variant} · head ${head} of ${result.heads}`;
}

/** The status line of long input: its tokens (cut or not), variant, head and whether zoomed. */
export function longStatusOf(state, request, total) {
  const n = request.queries;
  const cut = total > n ? ` (the first ${n} of ${total})` : '';
  return `${n} tokens${cut} · ${state.variant} · head ${request.head + 1} of ${state.heads} · ${request.plan === 'zoom' ? 'zoomed' : 'overview'}`;
}

/** The perf line of long input: its time, and where it ran (the worker, or the pool and its threads). */
export function longPerfOf(request, result, computedIn, threads) {
  const what = request.plan === 'zoom' ? 'Zoomed region' : 'Overview and output';
  const where = computedIn === 'pool' ? `in the worker pool (${threads} threads)` : 'in the worker';
  return `${what}: ${result.ms.toFixed(0)} ms ${where}`;
}

/** What the page says when `count` of `queries` rows may attend no key (all their weights 0). */
export function maskedRowsNote(count, queries) {
  const rows = count === queries ? `All ${queries} query rows have` : `${count} of ${queries} query rows have`;
  return `${rows} no allowed key (mask, padding, causal or window forbid them all), so their weights are all 0 and their output is 0. PyTorch's scaled_dot_product_attention gives NaN for such a row.`;
}

/** The perf line of model mode: the forward pass's time and where it ran. */
export function modelPerfOf(result, computedIn) {
  const where = computedIn === 'worker' ? 'in the worker' : 'on the page';
  return `${result.model.name}: whole forward pass (every layer) ${result.model.ms.toFixed(1)} ms ${where}`;
}

/** The similarity line of model mode: the cosine of the two sentences' embeddings. */
export function similarityOf(model) {
  if (model.embedding === null) return `${model.name} gives no sentence embedding to compare: the second sentence is not used.`;
  if (model.similarity === null) return 'Type a second sentence to compare the two sentence embeddings.';
  return `Cosine similarity of the two sentence embeddings: ${model.similarity.toFixed(3)} (1 = same meaning to this model, 0 = unrelated)`;
}

const STAGE_WORDS = { queued: 'waiting', loading: 'starting the worker', embedding: 'embedding', attention: 'attention' };
const STAGES = { queued: 0, loading: 1, embedding: 2, attention: 3 };

/**
 * The progress bar and its line while request is computed in the background:
 * { max, value, text }. progress is a stage word or, for long input, the
 * fraction done.
 */
export function progressOf(request, progress) {
  if (request.mode === 'model') {
    const name = request.name ?? request.model;
    const from = request.source ? ' from your disk' : '';
    if (typeof progress === 'number') {
      return { max: 1, value: progress, text: `Loading the model ${name}${from} (once): ${Math.round(progress * 100)}%…` };
    }
    return { max: 1, value: progress === 'attention' ? 1 : 0, text: progress === 'attention' ? `Running ${name}…` : `Loading the model ${name}${from}…` };
  }
  if (request.mode === 'long') {
    const what = `${request.plan === 'zoom' ? 'the zoomed region' : 'the overview'} of ${request.queries} tokens`;
    if (typeof progress === 'number') {
      return { max: 1, value: progress, text: `Computing ${what} in the background: ${Math.round(progress * 100)}%…` };
    }
    return { max: 1, value: 0, text: `Computing ${what} in the background: ${progress}…` };
  }
  const what = STAGE_WORDS[progress] ?? progress;
  return { max: 3, value: STAGES[progress] ?? 0, text: `Computing ${request.queries} tokens × ${request.heads} heads in the background: ${what}…` };
}
