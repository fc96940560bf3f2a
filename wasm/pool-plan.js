// How the pool (pool.js) cuts one request into pieces for its threads.
//
// The request's (head, row) plane is laid out head-major as positions
// 0 .. heads · R, R being the rows computed (all queries, or the request's
// rows range [first, first + R)); a row's work is the number of keys causal and window
// leave it (masks are ignored) plus a per-row cost of packing and
// normalising. A piece is a rectangle { h0, h1, begin, end }: heads [h0, h1),
// query rows [begin, end), row indices of the whole request; cuts inside a
// head fall on multiples of 4 rows from the range's start.

/** Per-row cost, in keys, of packing a row and normalising its output. */
const ROW_OVERHEAD = 16;

/** The rows a checked request computes: { first, count } (all queries unless it has a rows range). */
export function rowSpan({ queries, rows }) {
  return rows ? { first: rows.begin, count: rows.end - rows.begin } : { first: 0, count: queries };
}

/**
 * The plane of a checked request ({ heads, queries, keys, causal, window,
 * rows? }) as work: { queries: R, the positions of one head, headWork, end,
 * total, workAt(position), positionAt(work), piecesBetween(start, stop) }.
 */
export function workPlane(request) {
  const { heads, keys, causal, window } = request;
  const { first, count: queries } = rowSpan(request);
  const rowWork = (i) => {
    let lo = 0, hi = keys;
    if (causal) hi = Math.min(hi, i + 1);
    if (window != null) {  // null: no window
      lo = Math.max(lo, i - window);
      hi = Math.min(hi, i + window + 1);
    }
    return Math.max(hi - lo, 0) + ROW_OVERHEAD;
  };
  const prefix = new Float64Array(queries + 1);  // prefix[i] = work of rows 0 .. i-1 of one head
  for (let i = 0; i < queries; i++) prefix[i + 1] = prefix[i] + rowWork(first + i);
  const headWork = prefix[queries];
  const end = heads * queries;

  // the work before a position
  const workAt = (position) => Math.floor(position / queries) * headWork + prefix[position % queries];

  // the position nearest to `work` that is a head's start or a multiple of 4 rows into it
  const positionAt = (work) => {
    const h = Math.min(Math.floor(work / headWork), heads - 1);
    const rest = work - h * headWork;
    let lo = 0, hi = queries;  // first row whose prefix reaches rest
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (prefix[mid] < rest) lo = mid + 1;
      else hi = mid;
    }
    const row = lo >= queries ? queries : Math.min(Math.round(lo / 4) * 4, queries);
    return h * queries + row;
  };

  // positions [start, stop) as rectangles: runs of whole heads, or rows of
  // one head; their rows are the request's (shifted by first)
  const piecesBetween = (start, stop) => {
    const pieces = [];
    let p = start;
    while (p < stop) {
      const h = Math.floor(p / queries), row = p % queries;
      if (row === 0 && stop - p >= queries) {
        const h1 = Math.floor(stop / queries);
        pieces.push({ h0: h, h1, begin: first, end: first + queries });
        p = h1 * queries;
      } else {
        const rowEnd = Math.min(queries, stop - h * queries);
        pieces.push({ h0: h, h1: h + 1, begin: first + row, end: first + rowEnd });
        p = h * queries + rowEnd;
      }
    }
    return pieces;
  };

  return { queries, headWork, end, total: heads * headWork, workAt, positionAt, piecesBetween };
}

/**
 * Cuts the plane into `parts` pieces of about equal work, in head-major
 * order. Returns, for each part, its list of rectangles (empty when there
 * are fewer tiles than parts).
 */
export function planParts(request, parts) {
  const plane = workPlane(request);
  const cuts = [0];
  for (let k = 1; k < parts; k++) cuts.push(Math.max(cuts[k - 1], plane.positionAt((k * plane.total) / parts)));
  cuts.push(plane.end);
  return cuts.slice(0, -1).map((start, k) => plane.piecesBetween(start, cuts[k + 1]));
}

/**
 * Work of the smallest chunk, in keys visited: 64 rows at N = 1024, so a
 * thread that finishes first waits for at most a small chunk of another's,
 * while a chunk's fixed cost (one call, its output copied out) stays small
 * beside its rows once K is packed.
 */
export const MIN_CHUNK_WORK = 2 ** 16;

/**
 * Below this much work (a quarter of N = 1024 with 8 heads), a call is not
 * balanced: the pool cuts it once, one equal part per thread (planParts).
 */
export const BALANCE_WORK = 2 ** 21;

/**
 * The plane cut for `participants` threads that claim chunks as they come
 * free: guided scheduling, each chunk a 1 / (2 · participants) share of the
 * work left and at least `minWork` (and 32 rows), so a thread that runs
 * slower (a busy core) simply takes fewer chunks, and all finish within
 * about one small chunk of each other. Chunks of a head or more end on head
 * boundaries (each head split between chunks is packed once more). Returns
 * the chunks (lists of rectangles) in order, or null when the plane has less
 * than BALANCE_WORK of work or too little for more than one small chunk per
 * participant.
 */
export function planChunks(request, participants, minWork = MIN_CHUNK_WORK) {
  const plane = workPlane(request);
  const floor = Math.max(minWork, 32 * (request.keys + ROW_OVERHEAD));
  if (plane.total < Math.max(BALANCE_WORK, 2 * participants * floor)) return null;
  const chunks = [];
  for (let start = 0; start < plane.end;) {
    const done = plane.workAt(start);
    const left = plane.total - done;
    let size = Math.max(left / (2 * participants), floor);
    if (left - size < floor / 2) size = left;  // no sliver at the end
    let stop = plane.positionAt(done + size);
    if (size >= plane.headWork && start % plane.queries === 0) {
      stop = Math.min(plane.end, plane.queries * Math.max(1, Math.round((done + size) / plane.headWork)));
    }
    if (stop <= start) {  // rows far wider than the floor: the next 4 rows, within the head
      const row = start % plane.queries;
      stop = start - row + Math.min(plane.queries, row + 4);
    }
    chunks.push(plane.piecesBetween(start, stop));
    start = stop;
  }
  return chunks;
}

/**
 * The rows of a whole result or input (`all`, [heads, rows, width], its rows
 * being the request's rows first .. first + rows - 1) that `piece` covers:
 * contiguous, as a piece is whole heads or rows of one head.
 */
export function regionOf(all, piece, rows, width, first = 0) {
  return all.subarray((piece.h0 * rows + piece.begin - first) * width, ((piece.h1 - 1) * rows + piece.end - first) * width);
}

/**
 * A piece's rows of whole results ({ output, weights }, [heads, R, ·] for
 * the R rows the request computes; weights null without needWeights), as
 * { output, weights } views.
 */
export function resultsOf(results, piece, request) {
  const { keys, valueDim } = request;
  const { first, count } = rowSpan(request);
  return {
    output: regionOf(results.output, piece, count, valueDim, first),
    weights: results.weights ? regionOf(results.weights, piece, count, keys, first) : null,
  };
}

/** A piece's heads of a per-head tensor (`all`, [heads, rows, width]): [h1 - h0, rows, width]. */
export function headsOf(all, piece, rows, width) {
  return all.subarray(piece.h0 * rows * width, piece.h1 * rows * width);
}
