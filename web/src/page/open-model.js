// Model mode's "Open a model…": the file dialog (files, or a folder), the
// drop zone (files, or a dropped folder read through its directory entries),
// and the model from disk they give. The files are inspected here
// (compute/local-model.js: what is missing, the model's size, a model too
// large refused before its weights are read); then the model is a candidate,
// which the controller's next frame computes like the bundled model (the
// File objects go to the worker with the request, which reads and loads them
// there). When the candidate's first frame draws it becomes the open model;
// when it fails, the error is shown as text and the state goes back to what
// it was, so the previous model stays shown. Files are never put in the
// link: the state says only model=local (state/table.js LOCAL_MODEL).
import { describeSize, inspectModel, pickModelFiles } from '../compute/local-model.js';
import { LOCAL_MODEL } from '../state/table.js';
import { setHidden, setText } from '../views/dom.js';

const FAMILY_NAMES = { gpt2: 'GPT-2', bert: 'BERT' };
// A dropped folder is read this deep, so a checkpoint's own subfolders are seen but not a whole disk.
const MAX_DEPTH = 3;

/** The files of a dropped entry (a file or a folder, read recursively) as [{ path, file }]. */
async function filesOfEntry(entry, prefix = '', depth = 0) {
  if (entry.isFile) {
    const file = await new Promise((resolve, reject) => entry.file(resolve, reject));
    return [{ path: `${prefix}${entry.name}`, file }];
  }
  if (!entry.isDirectory || depth >= MAX_DEPTH || entry.name.startsWith('.')) return [];
  const reader = entry.createReader();
  const children = [];
  // readEntries gives a folder's entries in batches, until an empty one.
  for (;;) {
    const batch = await new Promise((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) break;
    children.push(...batch);
  }
  const nested = await Promise.all(children.map((child) => filesOfEntry(child, `${prefix}${entry.name}/`, depth + 1)));
  return nested.flat();
}

/**
 * What a drop holds, read synchronously from the event (its items are gone
 * once the handler returns): directory entries where the browser gives them
 * (a folder or files dragged from the desktop), else the plain file list.
 */
function readDrop(dataTransfer) {
  const items = [...(dataTransfer.items ?? [])].filter((item) => item.kind === 'file');
  const entries = items.map((item) => item.webkitGetAsEntry?.() ?? null);
  const files = [...(dataTransfer.files ?? [])];
  if (entries.length > 0 && entries.every(Boolean)) {
    return async () => (await Promise.all(entries.map((entry) => filesOfEntry(entry)))).flat();
  }
  return async () => files.map((file) => ({ path: file.webkitRelativePath || file.name, file }));
}

/**
 * elements: { open, openFolder, files, folder, drop, info, error, note,
 * bundledHint (USE lite's), mobyDickHint, localHint } (see
 * index.html); commit(values) sets state properties; state() the current
 * state. Returns { localModel(), drawn(frame), failed(message, frame) ->
 * true when the failure was the candidate's (then handled here), update(state) }.
 */
export function createModelOpener({ elements, commit, state }) {
  let nextId = 1;
  let current = null; // { id, name, files, summary } of the open model from disk
  let candidate = null; // the one being loaded, with before: the state's { input, model } to go back to

  function showInfo(message) {
    setText(elements.info, message);
    setHidden(elements.info, message === '');
  }
  function showError(message) {
    setText(elements.error, message);
    setHidden(elements.error, message === '');
  }

  async function open(readEntries) {
    showError('');
    let picked;
    try {
      const entries = await readEntries();
      picked = pickModelFiles(entries);
      const summary = await inspectModel(picked.files, picked.ignored);
      const name = picked.folder ?? `${FAMILY_NAMES[summary.family]} model`;
      const { input, model } = state();
      // A candidate replacing one still loading goes back to what was shown before both.
      const before = candidate?.before ?? { input, model };
      candidate = { id: nextId++, name, files: picked.files, summary, before };
      showInfo(`Loading ${name} from your disk: ${describeSize(summary)}`);
      commit({ input: 'model', model: LOCAL_MODEL });
    } catch (error) {
      const where = picked?.folder ? ` (${picked.folder})` : '';
      showError(`The model could not be opened${where}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  elements.open.addEventListener('click', () => elements.files.click());
  elements.openFolder.addEventListener('click', () => elements.folder.click());
  for (const input of [elements.files, elements.folder]) {
    input.addEventListener('change', () => {
      const files = [...input.files];
      input.value = ''; // the same files can be opened again
      if (files.length) open(async () => files.map((file) => ({ path: file.webkitRelativePath || file.name, file })));
    });
  }
  const zone = elements.drop;
  zone.addEventListener('dragover', (event) => {
    event.preventDefault();
    zone.classList.add('is-over');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('is-over'));
  zone.addEventListener('drop', (event) => {
    event.preventDefault();
    zone.classList.remove('is-over');
    if (event.dataTransfer) open(readDrop(event.dataTransfer));
  });

  const isCandidate = (frame) => candidate !== null && frame.request?.source?.id === candidate.id;

  return {
    /** The model from disk the controller computes: the candidate while it loads, else the open one. */
    localModel: () => candidate ?? current,

    /** A frame was drawn: the candidate's first result makes it the open model. */
    drawn(frame) {
      if (isCandidate(frame) && frame.result) {
        current = candidate;
        candidate = null;
        showInfo(`${current.name} from your disk: ${describeSize(current.summary)}`);
      }
    },

    /** A frame failed: the candidate's failure is shown here and the state goes back; false otherwise. */
    failed(message, frame) {
      if (!isCandidate(frame)) return false;
      const { name, before } = candidate;
      candidate = null;
      showError(`${name} could not be loaded: ${message}. ${current || before.model !== LOCAL_MODEL ? 'The previous model stays.' : ''}`.trim());
      showInfo(current ? `${current.name} from your disk: ${describeSize(current.summary)}` : '');
      commit(current ? { input: 'model', model: LOCAL_MODEL } : before);
      return true;
    },

    /** The hint of the shown model's kind, and the note of a link naming a model from disk while none is open. */
    update(shown) {
      const local = shown.model === LOCAL_MODEL;
      setHidden(elements.bundledHint, shown.model !== 'use-lite');
      setHidden(elements.mobyDickHint, shown.model !== 'moby-dick');
      setHidden(elements.localHint, !local);
      setHidden(elements.note, !(shown.input === 'model' && local && !candidate && !current));
    },
  };
}
