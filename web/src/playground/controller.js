// The playground folder's entry: one controller, used by the page
// (page/main.js) and the element (element/element.js, which embed.html
// hosts). It holds the state (state/table.js), and on each frame walks it to
// a picture: text -> tokens (wasm/tokenize.js), the request of the input
// mode (compute/requests.js), computed where transport.js says
// (compute/run.js: embeddings, Q, K, V, kernel, weights), then the host's
// draw(frame) shows it through the view registry (views/registry.js).
// No DOM here beyond the animation frame that batches renders.
import { buildLongRequest, buildModelRequest, buildRequest, NO_LOCAL_MODEL_MESSAGE } from '../compute/requests.js';
import { modelLayerResult } from '../compute/run.js';
import { generateTokens, LONG_MAX_TOKENS } from '../compute/long.js';
import { MAX_TOKENS, shapeOf, truncateTokens } from '../compute/model.js';
import { clampSelection, LOCAL_MODEL, withEdit, withValues } from '../state/table.js';

const messageOf = (error) => (error instanceof Error ? error.message : String(error));

/**
 * The tokens of long input: the pasted article (cut to LONG_MAX_TOKENS), or
 * gen words generated from the seed; previous (the last answer) is given
 * back when they are the same.
 */
export function longTokensOf(tokenize, state, previous = null) {
  const text = state.longtext.trim();
  const key = text ? `text:${text}` : `gen:${state.gen}:${state.seed}`;
  if (previous?.key === key) return previous;
  const all = text ? tokenize(text) : generateTokens(state.gen, state.seed);
  return { key, tokens: all.slice(0, LONG_MAX_TOKENS), total: all.length };
}

/**
 * table and state: the state table and the first state. transport.get(request)
 * computes (compute/transport.js). inputsOf(state, tokens) -> { inputs, mask }
 * gives the matrix, cross and mask inputs the page edits (absent: text only).
 * draw(frame) shows a frame, fail(message, frame) an error thrown while
 * computing or drawing it. keepClamped: a selection clamped to the tokens is
 * kept in the state (the page) rather than only in the frame (the element,
 * whose attributes stay as written).
 *
 * A frame is { state, tokens, total, fresh, request, result, computedIn,
 * pending, empty, adjustments }: tokens are the text's tokens (at most
 * maxTokens, of total; fresh when the text changed), result and computedIn
 * the transport's answer (pending while it computes), empty when the text has
 * no tokens (emptyMessage: why, when it is not the text), adjustments the
 * selection's clamping (state/table.js). localModel() gives the model opened
 * from disk ({ id, name, files }, or null) for model mode's LOCAL_MODEL.
 */
export function createController({
  table, state: first, transport, tokenize, maxTokens = MAX_TOKENS, inputsOf = null, draw, fail, keepClamped = true, localModel = () => null,
  requestFrame = (fn) => requestAnimationFrame(fn), cancelFrame = (id) => cancelAnimationFrame(id),
}) {
  let state = first;
  let last = { state }; // the last frame rendered
  let frameId = 0;
  let tokenized = { text: null };
  let long = null; // the last long input's tokens

  function tokensOf(text) {
    const fresh = tokenized.text !== text;
    if (fresh) tokenized = { text, ...truncateTokens(tokenize(text), maxTokens) };
    return { tokens: tokenized.tokens, total: tokenized.total, fresh };
  }


  /** Fills frame with the current state's tokens and its request, computed (or pending). */
  function fill(frame) {
    Object.assign(frame, tokensOf(state.text));
    if (state.input === 'long') {
      long = longTokensOf(tokenize, state, long);
      const { tokens, total } = long;
      frame.long = { tokens, total };
      frame.request = buildLongRequest(state, tokens);
    } else if (state.input === 'train') {
      // Train mode computes nothing here: its worker trains (page/train-panel.js).
      frame.empty = true;
      frame.emptyMessage = '';
      return frame;
    } else if (['text', 'model'].includes(state.input ?? 'text') && frame.tokens.length === 0) {
      frame.empty = true;
      return frame;
    } else if (state.input === 'model' && state.model === LOCAL_MODEL && !localModel()) {
      // A link's model from disk: nothing to compute until its files are opened.
      frame.empty = true;
      frame.emptyMessage = NO_LOCAL_MODEL_MESSAGE;
      return frame;
    } else if (state.input === 'model') {
      frame.request = buildModelRequest(state, localModel());
    } else {
      const { inputs, mask = null } = inputsOf ? inputsOf(state, frame.tokens) : { inputs: { tokens: frame.tokens } };
      frame.request = buildRequest(state, inputs, mask);
    }
    const answer = transport.get(frame.request);
    if (answer.pending) {
      frame.pending = true;
      return frame;
    }
    frame.result = answer.result;
    frame.computedIn = answer.computedIn;
    if (state.input === 'model') {
      // The views show one layer; the tokens are the model's own.
      frame.result = modelLayerResult(answer.result, state.layer - 1);
      frame.tokens = frame.result.rowTokens;
      frame.total = answer.result.model.total;
      frame.fresh = true;
      if (frame.result.layer !== state.layer - 1) {
        frame.adjustments = [{ name: 'layer', from: state.layer, to: frame.result.layer + 1 }];
      }
    }
    if (state.input !== 'long') {
      const { queries, keys } = shapeOf(answer.result);
      const clamped = clampSelection(state, queries, keys);
      frame.state = clamped.state;
      frame.adjustments = [...(frame.adjustments ?? []), ...clamped.adjustments];
      if (keepClamped) state = clamped.state;
    }
    return frame;
  }

  function render() {
    cancelFrame(frameId);
    frameId = 0;
    const frame = { state, tokens: [], total: 0, fresh: false, request: null, result: null, pending: false, empty: false, adjustments: [] };
    try {
      fill(frame);
      last = frame;
      draw(frame);
    } catch (error) {
      last = frame;
      fail(messageOf(error), frame);
    }
  }

  return {
    get state() {
      return state;
    },
    /** The last frame rendered (see above). */
    get frame() {
      return last;
    },
    /** Replaces the state (a new link, new attributes) and schedules a render. */
    replace(next) {
      state = next;
      this.schedule();
    },
    /** The state with property name read from a control's raw value (clamped), made current. */
    edit(name, raw) {
      this.replace(withEdit(table, state, name, raw));
      return state;
    },
    /** The state with several properties set at once (a click's selection), made current. */
    set(values) {
      this.replace(withValues(table, state, values));
      return state;
    },
    /** A render at the next animation frame (one, however many changes come before it). */
    schedule() {
      if (!frameId) frameId = requestFrame(render);
    },
    /** Renders now. */
    render,
    /** Stops a scheduled render (an element taken out of its page). */
    cancel() {
      cancelFrame(frameId);
      frameId = 0;
    },
  };
}
