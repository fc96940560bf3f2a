// <attention-playground>: the playground as a custom element. Its attributes
// are the URL state (attributes.js); a control edited inside it is written
// back to its attribute, so the attributes are the one source of truth and
// a page may change them at any time. Everything lives in a shadow root, so
// several elements on one page share nothing but the engine (engine.js).
//
// Events: `attention-change` (bubbles, composed) whenever the weights change,
// detail { tokens (the queries'), keyTokens, heads, queries, keys,
// weights: Float32Array [heads, nq, nk], state }.
import { tokenize, variants } from '../../../wasm/index.js';
import { readControl, writeControls } from '../playground/controls.js';
import { comparisonOf } from '../compute/compare.js';
import { crossTokens, EMPTY_TEXT_MESSAGE, inputShape } from '../compute/requests.js';
import { createMaskArea } from '../inputs/mask-area.js';
import { createTransport } from '../compute/transport.js';
import { createController } from '../playground/controller.js';
import { withEdit, withValues } from '../state/table.js';
import pageCss from '../style.css?inline';
import { createComparison } from '../views/compare.js';
import { createTokenChips } from '../views/tokens.js';
import { attributeValue, describeAttributeChanges, elementTable, readAttributes } from './attributes.js';
import elementCss from './element.css?inline';
import { sharedEngine } from './engine.js';
import { buildShell } from './shell.js';
import { createViewSet } from './view-boxes.js';

const TABLE = elementTable([...variants]);
// The element computes on the page, synchronously (it has no worker), so it
// cuts texts at half the main page's MAX_TOKENS: a quarter of the weights.
const ELEMENT_MAX_TOKENS = 1024;

// The playground's own styles (so the views look as on the main page), its
// :root rules moved to the host and its dark theme to theme="dark", then the
// element's. Constructed style sheets shared by every element: no <style> or
// style attribute, so a page's style-src needs no 'unsafe-inline' for them.
let sheets = null;
function styleSheets() {
  if (!sheets) {
    const hostCss = pageCss
      .replace(/:root\[data-theme=(['"]?)dark\1\]/g, ":host([theme='dark'])")
      .replace(/:root\b/g, ':host');
    sheets = [hostCss, elementCss].map((text) => {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(text);
      return sheet;
    });
  }
  return sheets;
}

const messageOf = (error) => (error instanceof Error ? error.message : String(error));

export class AttentionPlaygroundElement extends HTMLElement {
  static observedAttributes = TABLE.map((prop) => prop.name);

  #parts;
  #chips;
  #maskArea;
  #comparison = null; // views/compare.js, made when compare is first set
  #showView;
  #state;
  #engine = null;
  #controller = null; // set once the shared engine is ready
  #loading = false;
  #editing = null; // the control being typed in: never rewritten under the cursor
  #lastResult = null;
  #lastDetail = null;
  #reports = true; // whether clamped or ignored attributes get a note and a warning
  #lastRead = null; // readAttributes' answer for the current attributes
  #warned = new Map(); // attribute name -> the value last warned of, so a value is warned of once

  constructor() {
    super();
    const shadow = this.attachShadow({ mode: 'open' });
    shadow.adoptedStyleSheets = styleSheets();
    this.#parts = buildShell(shadow, TABLE, variants);
    this.#chips = createTokenChips(this.#parts.tokens);
    this.#showView = createViewSet({
      container: this.#parts.views,
      announcer: this.#parts.announcer,
      onHover: (row, col) => this.#chips.highlight(row, col),
      // A click or Enter on a cell selects its query and key (the steps and breakdown views show them).
      onSelect: (row, col) => this.#setValues(col === null ? { query: row } : { query: row, key: col }),
      onSelectHead: (head) => this.#setValues({ head }),
    });
    this.#maskArea = createMaskArea({ area: this.#parts.maskArea, onChange: () => this.#controller?.schedule() });
    this.#state = this.#readAttributes();

    const { controls } = this.#parts;
    controls.addEventListener('input', (event) => {
      const el = event.target.closest('[data-prop]');
      if (el) this.#edit(el);
    });
    // When an edit is committed, show its parsed, clamped value.
    controls.addEventListener('change', () => writeControls(controls, this.#state));
    // The views fit the element's width: draw again when it changes (the
    // page's layout, not only the window, decides it).
    let width = 0;
    new ResizeObserver(([entry]) => {
      const next = Math.round(entry.contentRect.width);
      if (next === width) return;
      width = next;
      this.#schedule();
    }).observe(this.#parts.views);
    this.#sync();
  }

  /** The parsed, clamped state the element shows (a copy). */
  get state() {
    return { ...this.#state };
  }

  /** The detail of the last attention-change event, or null before the first. */
  get attention() {
    return this.#lastDetail;
  }

  /**
   * Whether the element says which attributes it clamped or ignored (a note
   * inside it and a console warning, as the page does for a link). A host
   * that reports them itself (embed.html tells its hash's changes) sets it
   * to false.
   */
  get reportsAdjustments() {
    return this.#reports;
  }

  set reportsAdjustments(value) {
    this.#reports = Boolean(value);
    this.#report();
  }

  connectedCallback() {
    this.#load();
    this.#schedule();
  }

  disconnectedCallback() {
    this.#controller?.cancel();
  }

  attributeChangedCallback() {
    this.#state = this.#readAttributes();
    this.#sync();
  }

  #readAttributes() {
    this.#lastRead = readAttributes(TABLE, (name) => this.getAttribute(name));
    this.#report();
    return this.#lastRead.state;
  }

  /** Shows what the attributes' reading changed, and warns once of each changed value. */
  #report() {
    const { note, warnings } = this.#reports ? describeAttributeChanges(this.#lastRead) : { note: '', warnings: [] };
    this.#parts.adjusted.textContent = note;
    this.#parts.adjusted.hidden = note === '';
    const fresh = new Map();
    for (const { name, text } of warnings) {
      if (this.#warned.get(name) !== text) console.warn(text);
      fresh.set(name, text);
    }
    this.#warned = fresh;
  }

  /** A control changed: write every property it changed back to its attribute. */
  #edit(el) {
    this.#editing = el;
    try {
      this.#reflect(withEdit(TABLE, this.#state, el.dataset.prop, readControl(el)));
    } finally {
      this.#editing = null;
    }
  }

  #setValues(values) {
    this.#reflect(withValues(TABLE, this.#state, values));
  }

  /** Writes every property of next that differs from the state to its attribute. */
  #reflect(next) {
    for (const prop of TABLE) {
      if (next[prop.name] === this.#state[prop.name]) continue;
      const value = attributeValue(prop, next[prop.name]);
      if (value === null) this.removeAttribute(prop.name);
      else this.setAttribute(prop.name, value);
    }
  }

  /** Shows the state in the controls and schedules a render. */
  #sync() {
    const { controls } = this.#parts;
    const state = this.#state;
    controls.dataset.mode = state.controls;
    controls.hidden = state.controls === 'none';
    this.#parts.tokens.hidden = state.controls === 'none';
    // writeControls also shows each data-when-view / data-when-variant field with its view or variant.
    writeControls(controls, state, this.#editing);
    for (const el of controls.querySelectorAll('[data-when-heads]')) el.hidden = state.heads === 1;
    this.#schedule();
  }

  #load() {
    if (this.#controller || this.#loading) return;
    this.#loading = true;
    this.#showStatus('Loading the WebAssembly core…');
    sharedEngine().then(
      (engine) => {
        this.#loading = false;
        this.#engine = engine;
        this.#controller = createController({
          table: TABLE,
          state: this.#state,
          // The element has no worker: every request computes on the page (a model's asynchronously).
          transport: createTransport({
            engine,
            makeWorker: () => { throw new Error('no worker in the element'); },
            onResult: () => this.#controller?.schedule(),
            onProgress: (request, stage) => {
              if (request?.mode !== 'model' || stage === null) return;
              const done = typeof stage === 'number' ? `: ${Math.round(stage * 100)}%` : '';
              this.#showStatus(`Loading the model ${request.model} (once)${done}…`);
            },
          }),
          tokenize,
          inputsOf: (state, tokens) => this.#inputsOf(state, tokens),
          maxTokens: ELEMENT_MAX_TOKENS,
          keepClamped: false,
          draw: (frame) => this.#draw(frame),
          fail: (message, frame) => this.#fail(message, frame),
        });
        this.#parts.controls.disabled = false;
        this.#controller.render();
      },
      (error) => {
        this.#loading = false;
        this.#showStatus('');
        this.#showError(`The WebAssembly core failed to load: ${messageOf(error)}`);
      },
    );
  }

  /** Draws the variant comparison under the view when compare names a variant (made the first time). */
  #drawComparison(state, result, tokens, head) {
    if (state.compare === 'none') {
      this.#comparison?.hide();
      return;
    }
    this.#comparison ??= createComparison({
      root: this.#parts.compare,
      compare: (s, r, h) => comparisonOf(this.#engine, s, r, h),
      announcer: this.#parts.announcer,
      onHover: (row, col) => this.#chips.highlight(row, col),
    });
    this.#comparison.draw(state, result, tokens, head);
  }

  /** A text's or cross-attention's inputs for the request, with the edited mask when mask is on. */
  #inputsOf(state, tokens) {
    const inputs = state.input === 'cross' ? crossTokens(tokenize, state) : { tokens };
    const mask = this.#maskArea.maskOf(state, inputShape(state, inputs));
    return { inputs: { ...inputs, version: this.#maskArea.edits() }, mask };
  }

  #schedule() {
    if (this.#controller && this.isConnected) this.#controller.replace(this.#state);
  }

  /** Shows a frame of the controller: the chosen view, its title and status, and an event when the weights changed. */
  #draw(frame) {
    const { view, name, note } = this.#showView(this.#state.view);
    this.#parts.note.textContent = note;
    this.#parts.note.hidden = note === '';
    const { state, result } = frame;
    // The views' query tokens: a cross-attention result's are the target's (cut to their limit), a model's its own.
    const tokens = result?.rowTokens ?? frame.tokens;
    const total = state.input === 'cross' ? tokens.length : frame.total;
    this.#chips.draw(tokens, total);
    let detail = null;
    if (frame.pending) {
      this.#showError('');
      return;
    }
    // Only text and cross-attention have a mask to edit (a model masks as it was trained to).
    if (state.input === 'model' || frame.empty) this.#parts.maskArea.hidden = true;
    if (frame.empty) {
      view.clear();
      this.#comparison?.hide();
      this.#parts.title.textContent = '';
      this.#showStatus(EMPTY_TEXT_MESSAGE);
      if (this.#lastResult !== null || this.#lastDetail === null) detail = this.#detail([], null);
      this.#lastResult = null;
    } else {
      // The selected query and key are kept inside the tokens for the views (frame.state, not the attributes).
      const head = Math.min(state.head, result.heads);
      view.draw({ state, result, tokens, head, engine: this.#engine });
      this.#drawComparison(state, result, tokens, head);
      const layer = result.model ? ` · layer ${result.layer + 1} of ${result.model.info.layers}` : '';
      this.#parts.title.textContent = `${name}${layer} · head ${head} of ${result.heads}`;
      const limit = result.model ? result.model.info.maxTokens : ELEMENT_MAX_TOKENS;
      this.#showStatus(
        total > tokens.length
          ? `Showing the first ${limit} of ${total} tokens`
          : `${tokens.length} token${tokens.length === 1 ? '' : 's'} · ${result.model ? result.model.name : state.variant}`,
      );
      if (result !== this.#lastResult) detail = this.#detail(tokens, result);
      this.#lastResult = result;
    }
    this.#showError('');
    this.#announce(detail);
  }

  #fail(message, frame) {
    if (frame.tokens) this.#chips.draw(frame.tokens, frame.total);
    const { view, note } = this.#showView(this.#state.view);
    this.#parts.note.textContent = note;
    this.#parts.note.hidden = note === '';
    view.clear();
    this.#comparison?.hide();
    this.#lastResult = null;
    this.#showStatus('');
    this.#showError(message);
  }

  #announce(detail) {
    if (!detail) return;
    this.#lastDetail = detail;
    this.dispatchEvent(new CustomEvent('attention-change', { detail, bubbles: true, composed: true }));
  }

  /** An event detail: a copy of the weights, so listeners cannot change what is drawn. */
  #detail(tokens, result) {
    return {
      tokens: [...tokens],
      keyTokens: [...(result?.colTokens ?? tokens)],
      heads: result ? result.heads : this.#state.heads,
      queries: result ? result.queries : 0,
      keys: result ? result.keys : 0,
      weights: result ? result.weights.slice() : new Float32Array(0),
      state: { ...this.#state },
    };
  }

  #showStatus(message) {
    this.#parts.status.textContent = message;
  }

  #showError(message) {
    this.#parts.error.textContent = message;
    this.#parts.error.hidden = message === '';
  }
}
