// What train mode remembers of a run, in bounded memory: the loss and
// accuracy curves of both models (curves), the probe's attention maps kept
// for the timeline (timeline), and how many steps the worker takes between
// two reports (chunkSize). No DOM here.

/**
 * The curves of a run: per step, the loss and accuracy of the attention model
 * and of the baseline. Past `cap` points, neighbouring points are averaged in
 * pairs and later steps are averaged `stride` at a time, so a long run keeps
 * its whole shape in at most cap points.
 */
export function createCurves({ cap = 20_000 } = {}) {
  const NAMES = ['attentionLoss', 'baselineLoss', 'attentionAccuracy', 'baselineAccuracy'];
  const series = () => ({ step: [], attentionLoss: [], baselineLoss: [], attentionAccuracy: [], baselineAccuracy: [] });
  let points = series();
  let stride = 1;
  let bucket = null; // steps being averaged into the next point

  function emit(b) {
    points.step.push(b.step);
    for (const name of NAMES) points[name].push(b[name] / b.n);
  }

  function halve() {
    const next = series();
    const n = points.step.length;
    for (let i = 0; i + 1 < n; i += 2) {
      next.step.push(points.step[i + 1]);
      for (const name of NAMES) {
        next[name].push((points[name][i] + points[name][i + 1]) / 2);
      }
    }
    if (n % 2 === 1) {
      next.step.push(points.step[n - 1]);
      for (const name of NAMES) next[name].push(points[name][n - 1]);
    }
    points = next;
    stride *= 2;
  }

  return {
    /** One step's numbers: { step, attentionLoss, baselineLoss, attentionAccuracy, baselineAccuracy }. */
    push(p) {
      bucket ??= { n: 0, step: 0, attentionLoss: 0, baselineLoss: 0, attentionAccuracy: 0, baselineAccuracy: 0 };
      bucket.n++;
      bucket.step = p.step;
      for (const name of NAMES) bucket[name] += p[name];
      if (bucket.n >= stride) {
        emit(bucket);
        bucket = null;
        if (points.step.length > cap) halve();
      }
    },
    /** The points so far, as parallel arrays (a bucket still filling shows once it is full). */
    points: () => points,
    /** How many steps each point averages (1 until the cap is passed). */
    get stride() {
      return stride;
    },
    /** The newest point, or null. */
    get last() {
      const i = points.step.length - 1;
      return i < 0 ? null : Object.fromEntries(Object.keys(points).map((name) => [name, points[name][i]]));
    },
  };
}

/**
 * The probe's attention maps kept for scrubbing back: a map is kept when it
 * is at least `every` steps after the last one kept; past `max` kept maps,
 * every other one is dropped (the first stays) and `every` doubles, so the
 * timeline always spans the whole run in at most max + 1 maps. The newest
 * map is always shown, kept or not.
 */
export function createTimeline({ max = 64, every = 10 } = {}) {
  let kept = [];
  let live = null;
  let spacing = every;

  return {
    /** A map of the probe at a step: { step, attentions (one Float32Array [heads, T, T] per layer) }. */
    add(entry) {
      const last = kept.at(-1);
      if (!last || entry.step - last.step >= spacing) {
        kept.push(entry);
        live = null;
        if (kept.length > max) {
          kept = kept.filter((_, i) => i % 2 === 0);
          spacing *= 2;
        }
      } else if (entry.step !== last.step) {
        live = entry;
      } else {
        kept[kept.length - 1] = entry;
      }
    },
    /** The maps the slider moves through, oldest first, the newest last. */
    entries() {
      return live ? [...kept, live] : [...kept];
    },
    /** Steps between two kept maps now. */
    get every() {
      return spacing;
    },
    clear() {
      kept = [];
      live = null;
      spacing = every;
    },
  };
}

/**
 * Steps per report: about targetMs of work at msPerStep (what the last report
 * took), at least 1 and at most maxSteps, and never past the run's last step.
 */
export function chunkSize(msPerStep, { targetMs = 60, maxSteps = 1000, left = Infinity } = {}) {
  const n = Number.isFinite(msPerStep) && msPerStep > 0 ? Math.floor(targetMs / msPerStep) : 1;
  return Math.max(1, Math.min(n, maxSteps, left));
}

/** The most floats one probe snapshot holds (every layer's [heads, T, T]): 2 MiB. */
export const PROBE_FLOATS = 2 ** 19;

/**
 * How many of the probe's tokens the maps show: the whole context when its
 * maps fit PROBE_FLOATS, else the longest prefix that does, so a large
 * model's snapshots stay a few megabytes.
 */
export function probeLength({ layers, heads, context }, maxFloats = PROBE_FLOATS) {
  const fit = Math.floor(Math.sqrt(maxFloats / (layers * heads)));
  return Math.max(1, Math.min(context, fit));
}

/** How many snapshots the timeline keeps: as many as fit in budgetBytes, from 8 to 64. */
export function timelineSize(snapshotBytes, budgetBytes = 64 * 2 ** 20) {
  return Math.max(8, Math.min(64, Math.floor(budgetBytes / Math.max(1, snapshotBytes))));
}
