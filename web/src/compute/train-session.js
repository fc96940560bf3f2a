// The page's side of train mode's worker (train-worker.js): one worker,
// started when train mode is first shown, and the id of the current run, so
// that what an older run still sends is dropped. No DOM here.
//
//   const session = createTrainSession({ makeWorker, onMessage, onFailure });
//   session.setup(settings)   a new run (the models start again)
//   session.start() / pause() / step()
//   await session.save()      -> { 'config.json', 'model.safetensors', 'tokenizer.json' } as Uint8Arrays

/**
 * makeWorker() makes the worker (it may throw: a page that forbids workers);
 * onMessage(message) gets the current run's messages (see train-worker.js);
 * onFailure(message) when the worker cannot start or dies.
 */
export function createTrainSession({ makeWorker, onMessage, onFailure }) {
  let worker = null;
  let run = 0;
  let saving = null; // { resolve, reject } of the save asked for

  function started() {
    if (worker) return true;
    try {
      worker = makeWorker();
    } catch (error) {
      onFailure(`the page could not start a Web Worker to train in (${error instanceof Error ? error.message : String(error)})`);
      return false;
    }
    worker.addEventListener('message', (event) => {
      const message = event.data;
      if (message.run !== run) return;
      if (saving && (message.type === 'saved' || message.type === 'error')) {
        const { resolve, reject } = saving;
        saving = null;
        if (message.type === 'saved') resolve(message.files);
        else reject(new Error(message.message));
        return;
      }
      onMessage(message);
    });
    worker.addEventListener('error', (event) => {
      event.preventDefault?.();
      worker?.terminate();
      worker = null;
      saving?.reject(new Error('the training worker stopped'));
      saving = null;
      onFailure(event.message || 'the training worker stopped');
    });
    return true;
  }

  const send = (type, extra = {}) => {
    if (started()) worker.postMessage({ type, run, ...extra });
  };

  return {
    /** A new run with these settings (the API's, text null for Moby-Dick); its id. */
    setup(settings) {
      run++;
      saving?.reject(new Error('the run was replaced before its model was saved'));
      saving = null;
      send('setup', { settings });
      return run;
    },
    start: () => send('start'),
    pause: () => send('pause'),
    step: () => send('step'),
    /** The attention model's files, as the worker's trainer.save() gives them. */
    save() {
      if (saving) return Promise.reject(new Error('a save is already under way'));
      return new Promise((resolve, reject) => {
        saving = { resolve, reject };
        send('save');
        if (!worker) {
          saving = null;
          reject(new Error('there is no training worker'));
        }
      });
    },
    get run() {
      return run;
    },
  };
}
