// Types of the attention-playground package (the JS layer over the WASM core).
// Tensors are row-major Float32Array; masks are Uint8Array. Every result is a
// fresh copy, never a view into WASM memory.

export type Variant = 'scaled_dot' | 'dot' | 'general' | 'additive' | 'hard' | 'top_k';

/** The variant names, in the order the playground lists them. */
export const variants: readonly Variant[];

export interface VariantParams {
  /** general: [dim, dim], score = qᵀ W k */
  W?: Float32Array;
  /** additive: [da, dim], score = vᵀ tanh(Wq q + Wk k) */
  Wq?: Float32Array;
  /** additive: [da, dim] */
  Wk?: Float32Array;
  /** additive: [da]; its length sets da */
  v?: Float32Array;
  /** top_k: keep the k highest allowed scores, k >= 1 */
  k?: number;
}

export interface AttentionRequest {
  /** [heads, queries, dim] */
  query: Float32Array;
  /** [heads, keys, dim] */
  key: Float32Array;
  /** [heads, keys, valueDim] */
  value: Float32Array;
  /** default 1 */
  heads?: number;
  queries: number;
  keys: number;
  dim: number;
  /** default dim */
  valueDim?: number;
  /** default 'scaled_dot' */
  variant?: Variant;
  /** key j allowed only if j <= i (top-left aligned, like torch.tril) */
  causal?: boolean;
  /** key j allowed only if |i - j| <= window; absent or null = unlimited */
  window?: number | null;
  /** [queries, keys], nonzero = may attend (PyTorch SDPA boolean convention) */
  mask?: Uint8Array;
  /** [keys], nonzero = padding, never attended */
  keyPadding?: Uint8Array;
  /** > 0, divides every score; default 1 */
  temperature?: number;
  /** scaled_dot, hard and top_k only; default 1/sqrt(dim) */
  scale?: number;
  params?: VariantParams;
  /**
   * Default true. false (as PyTorch's need_weights=False) computes only the
   * output: no [heads, queries, keys] matrix is made, so the weights limit does
   * not apply (N = 16384, dim 64, one head runs in about 33 MiB of WASM memory), and
   * `weights` is null. The output is bit-identical either way.
   */
  needWeights?: boolean;
  /**
   * Only query rows begin .. end - 1 (0 <= begin < end <= queries) of every
   * head: output is then [heads, end - begin, valueDim] and weights
   * [heads, end - begin, keys]. Each row is bit-identical to the same row of
   * the whole call (causal, window and mask still use the row's own index).
   */
  rows?: { begin: number; end: number };
}

export interface AttentionResult {
  /** [heads, queries, valueDim] */
  output: Float32Array;
  /** [heads, queries, keys]; rows with no allowed key are all zero. null when needWeights is false. */
  weights: Float32Array | null;
}

/** attention() with needWeights: false has no weights. */
export interface AttentionOutput {
  /** [heads, queries, valueDim] */
  output: Float32Array;
  weights: null;
}

/** attention() with needWeights absent or true has weights. */
export interface AttentionWithWeights {
  /** [heads, queries, valueDim] */
  output: Float32Array;
  /** [heads, queries, keys]; rows with no allowed key are all zero */
  weights: Float32Array;
}

export interface AttentionTraceRequest extends AttentionRequest {
  /** 0-based head of the row to trace */
  head: number;
  /** 0-based query index of the row to trace */
  row: number;
}

/**
 * Every intermediate number of one row of attention(), as the core computed it.
 * For keys that are not allowed (or not kept), scores/logits are still the
 * computed values where they could be computed, exps and weights are 0.
 */
export interface AttentionTrace {
  /** [keys] compatibility before scale and temperature: q·k, qᵀWk or vᵀtanh(Wq q + Wk k) */
  scores: Float32Array;
  /** the factor applied to scores: scale for scaled_dot/hard/top_k, else 1 */
  scale: number;
  temperature: number;
  /** [keys] scores · scale / temperature: what the normalisation sees */
  logits: Float32Array;
  /** [keys] 1 where the query may attend the key (causal, window, mask, padding) */
  allowed: Uint8Array;
  /** [keys] 1 where the key takes part in the normalisation (top_k: the k best; hard: the argmax) */
  kept: Uint8Array;
  /** the largest kept logit (0 if none is kept) */
  max: number;
  /** [keys] exp(logit − max) for kept keys, else 0 (hard: 1 at the argmax) */
  exps: Float32Array;
  /** Σ exps */
  sum: number;
  /** [keys] the row's weights, identical to attention()'s */
  weights: Float32Array;
  /** [valueDim] Σ_j weights_j · value_j, identical to attention()'s */
  output: Float32Array;
}

export interface MultiHeadRequest {
  /** [queries, E] */
  query: Float32Array;
  /** [keys, E] */
  key: Float32Array;
  /** [keys, E] */
  value: Float32Array;
  /** divides E; default 1 */
  heads?: number;
  queries: number;
  keys: number;
  /** E; default query.length / queries */
  embedDim?: number;
  /** [3E, E] */
  inProjWeight: Float32Array;
  /** [3E], default zeros */
  inProjBias?: Float32Array;
  /** [E, E] */
  outProjWeight: Float32Array;
  /** [E], default zeros */
  outProjBias?: Float32Array;
  causal?: boolean;
  /** [keys], nonzero = padding */
  keyPadding?: Uint8Array;
}

export interface MultiHeadResult {
  /** [queries, E] */
  output: Float32Array;
  /** [heads, queries, keys] */
  weights: Float32Array;
  /** [queries, keys], mean over heads */
  averageWeights: Float32Array;
}

export interface TextRequest {
  /** tokens as returned by tokenize() */
  tokens: string[];
  /** default 1 */
  heads?: number;
  /** embedding width, default 16 */
  dim?: number;
  /** projection seed, a non-negative integer below 2^32; default 0 */
  seed?: number;
  /** weight of the sinusoidal position vector, default 0.5 */
  positionWeight?: number;
}

export interface TextQKV {
  /** [heads, tokens, dim] */
  query: Float32Array;
  /** [heads, tokens, dim] */
  key: Float32Array;
  /** [heads, tokens, dim] */
  value: Float32Array;
  heads: number;
  tokens: number;
  dim: number;
}

export interface SeededParamsRequest {
  variant: Variant;
  dim: number;
  seed?: number;
  /** top_k only, default 2 */
  k?: number;
}

export interface Limits {
  /** largest value of any single size argument */
  maxExtent: number;
  /** largest number of floats in any one tensor (weights included) */
  maxTensorFloats: number;
}

export interface AttentionEngine {
  /** A pretrained model run by this engine's core. */
  loadModel(source: ModelSource, options?: ModelLoadOptions): Promise<Model>;
  attention(request: AttentionRequest & { needWeights: false }): AttentionOutput;
  attention(request: AttentionRequest & { needWeights?: true }): AttentionWithWeights;
  attention(request: AttentionRequest): AttentionResult;
  /**
   * attention(request), written into arrays you own instead of new ones (for
   * repeated calls of one shape, or rows of a bigger result via subarray):
   * `into.output` and, with weights, `into.weights` must be Float32Arrays of
   * exactly the result's lengths, and separate. Nothing is written if the request is refused. Returns those arrays.
   */
  attentionInto(request: AttentionRequest & { needWeights: false }, into: { output: Float32Array; weights?: null }): AttentionOutput;
  attentionInto(request: AttentionRequest, into: { output: Float32Array; weights: Float32Array }): AttentionWithWeights;
  /**
   * One request prepared for computing in pieces (the worker pool's chunks):
   * checked now; each head's query, key and value are copied into WASM memory
   * (and checked finite) by the first piece that needs them, and its packed
   * keys (and values, when valueDim is not a multiple of 8) kept for the next. `rows` is not accepted. The weights
   * limit applies to each piece's weights, so long mode can walk a request
   * whose whole weights would be over it.
   */
  prepareRows(request: AttentionRequest): PreparedRows;
  multiHeadAttention(request: MultiHeadRequest): MultiHeadResult;
  /** Every intermediate number of one row (head, row) of attention(request). */
  attentionTrace(request: AttentionTraceRequest): AttentionTrace;
  /** Queries, keys and values of tokens, computed in the C++ core (see README). */
  embedText(request: TextRequest): TextQKV;
  /** Deterministic parameters a variant needs (W, Wq/Wk/v or k), from a seed. */
  seededParams(request: SeededParamsRequest): VariantParams;
  readonly limits: Limits;
  /** Bytes of WASM memory the engine holds now; it grows as needed and never shrinks. */
  readonly memoryBytes: number;
  /** Bytes of the engine's WASM heap allocated now; between calls it is the same after any number of refused calls. */
  readonly heapBytesInUse: number;
}

/** A rectangle of a request: heads [h0, h1), query rows [begin, end). */
export interface RowsPiece {
  h0: number;
  h1: number;
  begin: number;
  end: number;
}

/** What engine.prepareRows returns. */
export interface PreparedRows {
  /**
   * Writes the piece's output ([h1 - h0, end - begin, valueDim]) and, with
   * needWeights, weights ([h1 - h0, end - begin, keys]) into your arrays: the
   * bits attention() gives those rows. Throws (and writes nothing) for a
   * piece outside the request or arrays of other lengths.
   */
  rowsInto(piece: RowsPiece, into: { output: Float32Array; weights?: Float32Array | null }): AttentionResult;
  /** Frees the WASM memory it holds; later rowsInto calls throw. */
  release(): void;
}

export interface LoadOptions {
  /** The .wasm file's bytes; Node reads the packaged file when this is absent. */
  wasmBinary?: ArrayBuffer | Uint8Array;
  /**
   * The core already compiled (WebAssembly.compile of the .wasm file): it is
   * instantiated instead of compiling again. Engines made from one Module,
   * in any worker, share its machine code, optimised tier included.
   */
  wasmModule?: WebAssembly.Module;
}

export function loadAttention(options?: LoadOptions): Promise<AttentionEngine>;

/**
 * The bundled models, by name: Universal Sentence Encoder lite, and a
 * character-level GPT-2 of Moby-Dick trained by this project's trainer.
 */
export type BundledModel = 'use-lite' | 'moby-dick';

/** Where a model comes from: a bundled model's name, or its files by name (model.json, shards, vocab.json). */
export type ModelSource = BundledModel | { files: Record<string, Uint8Array> };

export interface ModelLoadOptions {
  /** Called as a bundled model's files are read, with bytes so far and in all. */
  onProgress?: (progress: { loaded: number; total: number }) => void;
}

export interface ModelInfo {
  name: string;
  family: 'use';
  layers: number;
  /** heads of each layer */
  headsPerLayer: readonly number[];
  /** the width each layer's attention works at (heads · head width) */
  widthPerLayer: readonly number[];
  /** width of the last layer's output and of the embedding */
  outputWidth: number;
  vocabSize: number;
  /** longer input is cut to this many tokens */
  maxTokens: number;
}

export interface ModelRun {
  /** the model's own pieces (SentencePiece marks a word's start with ▁) */
  tokens: string[];
  ids: Int32Array;
  /** tokens before the cut to info.maxTokens */
  total: number;
  /** one per layer, [heads, T, T]: row = query token, column = key token */
  attentions: Float32Array[];
  /** the last layer's output, [T, outputWidth] */
  hidden: Float32Array;
  /** the model's sentence vector [outputWidth] (unit length for use-lite) */
  embedding: Float32Array | null;
  /** per layer, what its attention saw and gave */
  layers: ModelLayerAttention[];
}

export interface ModelLayerAttention {
  heads: number;
  headWidth: number;
  /** what q·k was multiplied by */
  scale: number;
  /** [heads, T, headWidth] each; output is the weighted sum of values, before the output projection */
  query: Float32Array;
  key: Float32Array;
  value: Float32Array;
  output: Float32Array;
}

export interface Model {
  readonly info: ModelInfo;
  tokenize(text: string): { tokens: string[]; ids: Int32Array };
  run(request: { text: string } | { ids: Int32Array | readonly number[] }): ModelRun;
  /** frees the model's memory in the engine */
  release(): void;
}

/** A pretrained model on an engine of its own. */
export function loadModel(source: ModelSource, options?: LoadOptions & ModelLoadOptions): Promise<Model>;

/**
 * A pool of workers (Web Workers in browsers, worker_threads in Node), each
 * with its own WASM instance, that splits one attention() call by heads and
 * by blocks of query rows. Made by loadAttentionPool() of wasm/pool.js, a
 * module of its own so that bundles without it carry no worker. It needs no
 * cross-origin isolation; where SharedArrayBuffer can be sent to workers (Node,
 * isolated pages), calls with a quarter of the work of N = 1024 × 8 heads or
 * more are balanced: the threads claim chunks as they come free, so a slower
 * core takes fewer. Results are
 * bit-identical to engine.attention() either way. The pool keeps the buffers
 * of its last calls (with copies: up to ten per worker; shared: the two
 * largest) to refill next time; terminate() lets them go.
 */
export interface AttentionPool {
  /** The number of threads that compute: the workers, and the caller with callerShare. */
  readonly threads: number;
  /** Whether the calling thread computes one share itself (PoolOptions.callerShare). */
  readonly callerShare: boolean;
  /** Whether long calls are balanced in shared memory (PoolOptions.sharedMemory). */
  readonly sharedMemory: boolean;
  /**
   * engine.attention(request) on the workers; `rows` is not accepted. The
   * request is checked first, on the calling thread: a bad one rejects with
   * the engine's TypeError or RangeError.
   */
  attention(request: AttentionRequest & { needWeights: false }): Promise<AttentionOutput>;
  attention(request: AttentionRequest & { needWeights?: true }): Promise<AttentionWithWeights>;
  attention(request: AttentionRequest): Promise<AttentionResult>;
  /** Stops the workers: calls in flight reject, later calls reject. */
  terminate(): void;
}

export interface PoolOptions extends LoadOptions {
  /** Threads that compute, 1 to 64; default the number of cores, at most 8. */
  threads?: number;
  /**
   * When true, the calling thread computes one of the `threads` shares itself
   * (on its own WASM instance, blocking it meanwhile) and `threads - 1`
   * workers compute the rest: one hop and one copy fewer. Default false (all
   * the work on workers, the caller stays free).
   */
  callerShare?: boolean;
  /**
   * Balance long calls through SharedArrayBuffer (see AttentionPool). Default:
   * true where it can be sent to workers (Node, a cross-origin isolated page),
   * else false; true where it cannot is refused with a TypeError.
   */
  sharedMemory?: boolean;
}

/**
 * Unicode-aware split into tokens: runs of letters, marks and digits form a
 * word; every Han, Hiragana or Katakana character, every emoji
 * (with its modifiers and ZWJ sequence) and every other visible symbol or
 * punctuation mark is a token of its own; whitespace and control characters
 * separate tokens and are dropped.
 */
export function tokenize(text: string): string[];

/** The built-in training tasks (see TrainSettings.task). */
export type TrainTask = 'copy' | 'reverse' | 'recall' | 'induction' | 'sort' | 'text';
export const trainTasks: readonly TrainTask[];

/** The largest settings the trainer takes. */
export const trainLimits: Readonly<{
  layers: number; heads: number; width: number; context: number; batch: number; steps: number; textBytes: number;
}>;

/**
 * What to train: a GPT-2 (learned positions, pre-norm blocks, causal
 * multi-head attention, GELU MLP, tied output head) on one task, with AdamW,
 * linear warm-up then cosine decay, and gradient clipping. Every field is
 * optional; an unknown or out-of-range one is refused by name.
 */
export interface TrainSettings {
  /**
   * copy / reverse a sequence of letters; recall (`k1 v1 … kq → vq`, keys at
   * least `distance` tokens from their queries); induction (a random sequence
   * repeated, predict the second copy); sort digits; text (a character-level
   * model of `text`). Default 'recall'.
   */
  task?: TrainTask;
  /** The text of task 'text' (its characters are the vocabulary; the last tenth is held out). */
  text?: string;
  /** default 2 */
  layers?: number;
  /** divides width; default 4 */
  heads?: number;
  /** default 64 */
  width?: number;
  /** tokens of every training sequence, 4 to 512; default 64 */
  context?: number;
  /** sequences per step; default 16 */
  batch?: number;
  /** the peak learning rate, after warm-up; default 1e-3 */
  learningRate?: number;
  /** the planned run the schedule decays over; default 1000 */
  steps?: number;
  /** steps of linear warm-up; -1 (default) = steps / 10, at most 100 */
  warmup?: number;
  /** 0 to 2^53 - 1; default 1. The same seed and settings give the same losses, bit for bit. */
  seed?: number;
  /** false: every attention layer is a uniform average over the causal prefix (the baseline). Default true. */
  attention?: boolean;
  /** recall: the least distance from a key to its query, 2 to context - 2; default min(64, context - 2) */
  distance?: number;
  /** the learning rate at the end of the decay, as a fraction of the peak; default 0.1 */
  minLearningRateRatio?: number;
  /** AdamW's, on matrices and embeddings; default 0.1 */
  weightDecay?: number;
  /** default 0.9 */
  beta1?: number;
  /** default 0.95 */
  beta2?: number;
  /** default 1e-8 */
  adamEps?: number;
  /** the largest global gradient norm; 0 = no clipping; default 1 */
  clip?: number;
}

export interface TrainStepResult {
  /** steps done, this one included */
  step: number;
  /** mean cross-entropy of the last batch's scored tokens */
  loss: number;
  /** fraction of them whose most likely token is right */
  accuracy: number;
  learningRate: number;
  /** before clipping */
  gradNorm: number;
  /** every step's loss and accuracy of this call, in order */
  losses: Float64Array;
  accuracies: Float64Array;
}

export interface TrainEvaluation {
  loss: number;
  accuracy: number;
  /** tokens scored */
  scored: number;
}

export interface TrainTensor {
  /** GPT2LMHeadModel's name (transformer.h.0.attn.c_attn.weight, ...) */
  name: string;
  /** where it starts in parameters() */
  offset: number;
  shape: readonly number[];
}

export interface Trainer {
  readonly settings: Readonly<Required<TrainSettings>>;
  /** every token's text, by id */
  readonly vocabulary: readonly string[];
  /** a fixed sequence of the task (the same for every seed) to watch the heads on */
  readonly probe: readonly number[];
  readonly tensors: readonly TrainTensor[];
  /** steps done */
  readonly steps: number;
  /** 'diverged' once a step's loss or gradient was not finite */
  readonly status: 'ready' | 'diverged';
  readonly info: {
    vocab: number; context: number; layers: number; heads: number; width: number; steps: number;
    status: 'ready' | 'diverged'; parameters: number;
  };
  /** n steps (default 1); throws TrainingDivergedError, back at the last good state, if one diverges */
  step(n?: number): TrainStepResult;
  /** loss and accuracy on held-out batches of the task (the same batches at every call) */
  evaluate(): TrainEvaluation;
  /** every layer's attention over ids (default: the probe), one Float32Array [heads, T, T] per layer */
  attentions(ids?: readonly number[] | Int32Array): Float32Array[];
  /** a copy of the parameters, laid out as `tensors` says */
  parameters(): Float32Array;
  /** the whole state (parameters, AdamW's moments, step, data stream) */
  snapshot(): Uint8Array;
  /** back to a snapshot of a trainer with the same settings */
  restore(snapshot: Uint8Array): void;
  /**
   * The model as a Hugging Face GPT-2 folder, which loadModel({ files }) and
   * transformers' GPT2LMHeadModel.from_pretrained read. The baseline refuses.
   */
  save(): { 'config.json': Uint8Array; 'model.safetensors': Uint8Array; 'tokenizer.json': Uint8Array };
  /** frees the trainer's memory; later calls throw */
  release(): void;
}

/** The attention model and its baseline on one core, stepped together on the same batches. */
export interface SideBySide {
  readonly attention: Trainer;
  readonly baseline: Trainer;
  readonly probe: readonly number[];
  readonly vocabulary: readonly string[];
  step(n?: number): { attention: TrainStepResult; baseline: TrainStepResult };
  evaluate(): { attention: TrainEvaluation; baseline: TrainEvaluation };
  attentions(ids?: readonly number[] | Int32Array): { attention: Float32Array[]; baseline: Float32Array[] };
  snapshot(): { attention: Uint8Array; baseline: Uint8Array };
  restore(snapshot: { attention: Uint8Array; baseline: Uint8Array }): void;
  release(): void;
}

/** Thrown by step() when a loss or gradient stops being finite. */
export class TrainingDivergedError extends Error {
  /** steps done, all good */
  readonly step: number;
  results: { losses: Float64Array; accuracies: Float64Array };
}

/** The settings with their defaults filled in; throws naming the first bad field. */
export function parseTrainSettings(settings: TrainSettings): Readonly<Required<TrainSettings>>;
/** One trainer on a WASM core of its own. */
export function createTrainer(settings?: TrainSettings, options?: LoadOptions): Promise<Trainer>;
/** The attention model and its baseline (attention: false) from the same start. */
export function createSideBySide(settings?: TrainSettings, options?: LoadOptions): Promise<SideBySide>;
