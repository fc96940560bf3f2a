// The address bar as a mirror of the state: the page writes the state's hash
// after every render. history.replaceState is slow in Chromium (the largest
// script cost of a temperature change in a CPU profile of the page), so while
// changes come in a burst (a slider drag) the hash is written at most once per
// `intervalMs`, and always after the last change. After a calm spell, a
// change is written at once. npm run bench's repaint figures before and after
// are in the commit that brought this.
//
//   const mirror = urlMirror({ write: (hash) => history.replaceState(null, '', hash) });
//   mirror.update(hash)   after a render
//   mirror.cancel()       when the address changed under the page (hashchange)

export const URL_WRITE_MS = 100;

/**
 * write(hash) puts hash in the address; current() reads the address's hash
 * (an equal hash is not written again). now, setTimer and clearTimer are the
 * clock, for tests.
 */
export function urlMirror({
  write,
  current = () => window.location.hash,
  intervalMs = URL_WRITE_MS,
  now = () => performance.now(),
  setTimer = (fn, ms) => setTimeout(fn, ms),
  clearTimer = (id) => clearTimeout(id),
}) {
  let lastWrite = -Infinity;
  let pending = null;
  let timer = null;

  function flush() {
    timer = null;
    if (pending !== null && pending !== current()) {
      write(pending);
      lastWrite = now();
    }
    pending = null;
  }

  return {
    update(hash) {
      pending = hash;
      if (timer !== null) return;  // the timer writes the latest hash
      const wait = lastWrite + intervalMs - now();
      if (wait <= 0) flush();
      else timer = setTimer(flush, wait);
    },
    cancel() {
      if (timer !== null) clearTimer(timer);
      timer = null;
      pending = null;
    },
  };
}
