// Train mode's panel (input=train): wires index.html's training section to
// the worker that trains (compute/train-session.js, train-worker.js), to what
// is remembered of a run (compute/train-history.js) and to the draw-only
// views (views/train-charts.js, views/layers.js). The settings come from the
// page's state (state/train.js), so they are in the link; a change of any of
// them starts a new run. This file connects them and words the status lines;
// it computes nothing.
import { createCurves, createTimeline, probeLength, timelineSize } from '../compute/train-history.js';
import { createTrainSession } from '../compute/train-session.js';
import { fillOptions } from '../playground/controls.js';
import { describeSettingsError, pastedText, settingsKey, TASK_HINTS, TASK_LABELS, trainSettingsOf } from '../state/train.js';
import { setHidden, setText } from '../views/dom.js';
import { createLayersGrid } from '../views/layers.js';
import { averageHeads } from '../views/row-stats.js';
import { createTrainCharts } from '../views/train-charts.js';
import { createShareButton } from './share.js';

const FILE_NAMES = ['config.json', 'model.safetensors', 'tokenizer.json'];

/** A token of the probe as it is shown: blanks made visible. */
const shownToken = (token) => token.replace(/ /g, '␣').replace(/\n/g, '↵').replace(/\t/g, '⇥');

const percent = (x) => `${(100 * x).toFixed(1)}%`;

const GRID_MS = 200; // the newest maps are redrawn at most this often while training (the charts every frame)

/**
 * elements: the training section's parts by test id (see index.html) and the
 * page's root; makeWorker() the training worker; shareUrl() the page's link.
 * Returns { update(state) }, called with every state the page shows.
 */
export function createTrainPanel({ byTestId, root, makeWorker, shareUrl }) {
  const parts = (id) => byTestId(`train-${id}`);
  fillOptions(parts('task'), Object.entries(TASK_LABELS).map(([value, label]) => ({ value, label })));
  let charts = null; // made when the panel is first shown (uPlot measures its container)
  let grid = null;
  let state = null;
  let key = null; // the settings of the current run
  let error = null; // { prop, message } of settings that cannot be trained
  let run = {}; // what the current run has said
  let curves = createCurves();
  let timeline = createTimeline();
  let scrubbed = null; // the timeline index chosen, or null to follow the newest map
  let frame = 0;
  let saved = [];

  const session = createTrainSession({
    makeWorker,
    onMessage: receive,
    onFailure: (message) => fail(`Training stopped: ${message}`),
  });

  createShareButton({ button: parts('share'), status: parts('share-status'), field: parts('share-url'), url: shareUrl });

  // The page's note on what a link or a typed number had adjusted sits in the figure, hidden in train mode: shown here too.
  const pageNote = byTestId('hash-note');
  new MutationObserver(() => {
    setText(parts('note'), pageNote.textContent);
    setHidden(parts('note'), pageNote.hidden || pageNote.textContent === '');
  }).observe(pageNote, { attributes: true, attributeFilter: ['hidden'], childList: true, characterData: true, subtree: true });

  function showError(message) {
    setText(parts('error'), message);
    setHidden(parts('error'), message === '');
  }

  function fail(message) {
    run = { ...run, running: false, failed: true };
    showError(message);
    buttons();
  }

  function buttons() {
    const usable = run.ready && !error && !run.failed;
    const canStep = usable && !run.running && !run.diverged && run.step < state.steps;
    parts('start').disabled = !canStep;
    parts('pause').disabled = !(usable && run.running);
    parts('step').disabled = !canStep;
    parts('reset').disabled = error !== null || key === null;
    parts('save').disabled = !(run.ready && !run.running);
    parts('save-folder').disabled = parts('save').disabled;
    setHidden(parts('save-folder'), typeof window.showDirectoryPicker !== 'function');
  }

  function reset(settings) {
    key = settingsKey(settings);
    run = { ready: false, running: false, step: 0, diverged: false, failed: false, heads: settings.heads };
    curves = createCurves();
    const T = probeLength(settings);
    timeline = createTimeline({ max: timelineSize(4 * settings.layers * settings.heads * T * T) });
    scrubbed = null;
    showError('');
    setText(parts('evaluation'), '');
    setText(parts('probe'), '');
    setHidden(parts('text-note'), true);
    session.setup(settings);
    setText(parts('status'), 'Setting up the two models…');
    buttons();
    schedule();
  }

  function receive(message) {
    switch (message.type) {
      case 'ready':
        run = { ...run, ready: true, vocabulary: message.vocabulary, probe: message.probe, parameters: message.parameters };
        setText(parts('probe'), `Probe: ${message.probe.map((id) => shownToken(message.vocabulary[id])).join(' ')}${
          message.probe.length < message.probeOf ? ` (its first ${message.probe.length} of ${message.probeOf} tokens: the maps of all of them would be too large to keep)` : ''}`);
        if (message.text) {
          setText(parts('text-note'), message.text.source === 'moby-dick'
            ? `Learning Moby-Dick, the whole book (${message.text.characters.toLocaleString('en-US')} characters, ${message.vocabulary.length} distinct); the last tenth is held out.`
            : `Learning your text (${message.text.characters.toLocaleString('en-US')} characters, ${message.vocabulary.length} distinct); the last tenth is held out.`);
          setHidden(parts('text-note'), false);
        }
        break;
      case 'progress': {
        const { losses, accuracies, start } = message;
        for (let i = 0; i < losses.attention.length; i++) {
          curves.push({
            step: start + i + 1,
            attentionLoss: losses.attention[i], baselineLoss: losses.baseline[i],
            attentionAccuracy: accuracies.attention[i], baselineAccuracy: accuracies.baseline[i],
          });
        }
        run = { ...run, step: message.step, stepsPerSecond: message.stepsPerSecond ?? run.stepsPerSecond };
        break;
      }
      case 'probe':
        timeline.add({ step: message.step, attentions: message.attentions });
        break;
      case 'evaluation':
        run = { ...run, evaluation: message };
        break;
      case 'state':
        run = { ...run, running: message.running, step: message.step };
        break;
      case 'diverged':
        run = { ...run, running: false, diverged: true, step: message.step };
        showError(`${message.message}. The run stopped: the curves and maps show its last good step, ${message.step}, and Save model saves that model. Lower the learning rate (a new run starts) or press Reset.`);
        break;
      case 'error': {
        // The core checks what only it can (a text too short, memory): said as the page names its fields.
        const described = describeSettingsError(message.message);
        error = described.prop ? described : error;
        fail(`Training could not go on: ${described.message}`);
        markFields(state);
        break;
      }
      default:
        break;
    }
    buttons();
    schedule();
  }

  function schedule() {
    if (!frame) frame = requestAnimationFrame(draw);
  }

  function statusLine() {
    if (error) return '';
    if (!run.ready) return 'Setting up the two models…';
    const speed = run.stepsPerSecond ? ` · ${run.stepsPerSecond.toFixed(1)} steps per second (each step trains both models on one batch)` : '';
    const what = run.diverged ? 'stopped (diverged)' : run.running ? 'training' : run.step >= state.steps ? 'finished' : run.step === 0 ? 'ready' : 'paused';
    return `Step ${run.step} of ${state.steps}, ${what}${speed}. ${run.parameters.toLocaleString('en-US')} parameters in each model.`;
  }

  function evaluationLine() {
    const e = run.evaluation;
    if (!e) return '';
    return `Held-out batches at step ${e.step}: with attention loss ${e.attention.loss.toFixed(3)}, accuracy ${percent(e.attention.accuracy)}; `
      + `baseline loss ${e.baseline.loss.toFixed(3)}, accuracy ${percent(e.baseline.accuracy)}.`;
  }

  function drawGrid() {
    const entries = timeline.entries();
    const slider = parts('timeline');
    slider.max = String(Math.max(0, entries.length - 1));
    slider.disabled = entries.length < 2;
    const index = scrubbed === null ? entries.length - 1 : Math.min(scrubbed, entries.length - 1);
    if (scrubbed === null || document.activeElement !== slider) slider.value = String(Math.max(0, index));
    const entry = entries[index];
    if (!entry) {
      grid.view.clear();
      grid.shown = null;
      setText(parts('timeline-label'), '');
      return;
    }
    setText(parts('timeline-label'), scrubbed === null || index === entries.length - 1
      ? `(step ${entry.step}, the newest; ${entries.length} kept, about every ${timeline.every} steps)`
      : `(step ${entry.step}, scrubbed back; drag to the end to follow training)`);
    if (grid.shown === entry && grid.palette === state.palette) return;
    // While training, the newest maps wait a little: a grid of many layers costs more than a frame.
    const wait = grid.drawnAt + GRID_MS - performance.now();
    if (scrubbed === null && grid.shown && grid.palette === state.palette && wait > 0) {
      if (!grid.timer) grid.timer = setTimeout(() => { grid.timer = 0; schedule(); }, wait);
      return;
    }
    const { heads } = run;
    const T = Math.round(Math.sqrt(entry.attentions[0].length / heads));
    grid.view.draw({
      layers: entry.attentions.map((weights) => ({ weights, average: averageHeads(weights, heads, T, T), heads, rows: T, cols: T, max: 1 })),
      layer: -1, head: -1, scale: 'linear', palette: state.palette,
    });
    Object.assign(grid, { shown: entry, palette: state.palette, drawnAt: performance.now() });
    parts('grid').dataset.step = String(entry.step);
  }

  function draw() {
    frame = 0;
    if (!charts) return;
    setText(parts('status'), statusLine());
    setText(parts('evaluation'), evaluationLine());
    charts.draw(curves.points());
    drawGrid();
    publish();
  }

  /** What the panel shows, for tests and the console. */
  function publish() {
    window.__trainPlayground = {
      ...run, settingsKey: key, error, points: curves.points(),
      timeline: timeline.entries().map((e) => e.step), shownStep: grid.shown?.step ?? null,
      shownAttentions: grid.shown?.attentions ?? null,
    };
  }

  function firstShown() {
    charts = createTrainCharts({ loss: parts('loss-chart'), accuracy: parts('accuracy-chart') });
    grid = { view: createLayersGrid({ root: parts('grid') }), shown: null, palette: null, drawnAt: -Infinity, timer: 0 };
    window.addEventListener('resize', () => charts.resize());
    parts('start').addEventListener('click', () => session.start());
    parts('pause').addEventListener('click', () => session.pause());
    parts('step').addEventListener('click', () => session.step());
    parts('reset').addEventListener('click', () => {
      const { settings } = trainSettingsOf(state);
      if (settings) reset(settings);
    });
    parts('save').addEventListener('click', () => save(downloadFiles));
    parts('save-folder').addEventListener('click', () => save(writeFolder));
    parts('timeline').addEventListener('input', () => {
      const value = Number(parts('timeline').value);
      scrubbed = value >= timeline.entries().length - 1 ? null : value;
      // Drawn at once, not at the next frame: the slider answers in the frame it moved in.
      drawGrid();
      publish();
    });
  }

  async function save(write) {
    try {
      const files = await session.save();
      await write(files);
    } catch (e) {
      if (e?.name === 'AbortError') return; // the folder dialog was closed
      showError(`The model could not be saved: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** Three downloads (and the links to them, should the browser hold back all but the first). */
  function downloadFiles(files) {
    for (const url of saved) URL.revokeObjectURL(url);
    saved = [];
    const box = parts('saved');
    const links = FILE_NAMES.map((name) => {
      const url = URL.createObjectURL(new Blob([files[name]], { type: 'application/octet-stream' }));
      saved.push(url);
      const link = document.createElement('a');
      link.href = url;
      link.download = name;
      link.textContent = name;
      link.dataset.testid = `train-saved-${name}`;
      return link;
    });
    const intro = document.createElement('p');
    intro.className = 'hint';
    intro.textContent = `Saved the model with attention at step ${run.step} as a Hugging Face GPT-2 folder. Put the three files in one folder; model mode's "Open a model…" (or transformers' GPT2LMHeadModel.from_pretrained) reads it. Download again: `;
    links.forEach((link, i) => intro.append(link, i < links.length - 1 ? ', ' : '.'));
    box.replaceChildren(intro);
    setHidden(box, false);
    for (const link of links) link.click();
  }

  async function writeFolder(files) {
    const folder = await window.showDirectoryPicker({ mode: 'readwrite' });
    for (const name of FILE_NAMES) {
      const handle = await folder.getFileHandle(name, { create: true });
      const writable = await handle.createWritable();
      await writable.write(files[name]);
      await writable.close();
    }
    const box = parts('saved');
    const note = document.createElement('p');
    note.className = 'hint';
    note.textContent = `Saved ${FILE_NAMES.join(', ')} in the folder ${folder.name} (step ${run.step}).`;
    box.replaceChildren(note);
    setHidden(box, false);
  }

  /** The settings' fields: the wrong one marked, the task's own ones shown. */
  function markFields(shown) {
    for (const el of root.querySelectorAll('[data-when-task]')) {
      setHidden(el, shown.input !== 'train' || el.dataset.whenTask !== shown.task);
    }
    for (const el of root.querySelectorAll('[data-testid^="train-"][data-prop]')) {
      if (error?.prop === el.dataset.prop) el.setAttribute('aria-invalid', 'true');
      else el.removeAttribute('aria-invalid');
    }
    setText(parts('task-hint'), TASK_HINTS[shown.task] ?? '');
    if (shown.task === 'text' && pastedText(shown) === null) setText(parts('task-hint'), `${TASK_HINTS.text} The text is Moby-Dick unless you paste your own below.`);
  }

  return {
    update(next) {
      const leaving = state?.input === 'train' && next.input !== 'train';
      state = next;
      if (leaving && run.running) session.pause(); // the run waits for the mode to come back
      if (next.input !== 'train') {
        markFields(next);
        return;
      }
      if (!charts) firstShown();
      const checked = trainSettingsOf(next);
      error = checked.error ?? null;
      markFields(next);
      if (error) {
        if (run.running) session.pause();
        showError(`${error.message}. Nothing is trained until this is fixed.`);
      } else if (settingsKey(checked.settings) !== key) {
        reset(checked.settings);
      } else if (!run.diverged && !run.failed) {
        showError('');
      }
      buttons();
      schedule();
    },
  };
}
