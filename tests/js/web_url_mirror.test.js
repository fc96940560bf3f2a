// The address bar mirror (web/src/state/url-mirror.js): a change after a calm spell
// is written at once; a burst is written at most once per interval, always
// ending with the last hash; a hashchange cancels what is pending.
import { describe, expect, it } from 'vitest';
import { urlMirror } from '../../web/src/state/url-mirror.js';

// A mirror on a hand-driven clock: tick(ms) advances it and runs due timers.
function mirrorOnClock(intervalMs = 100) {
  let time = 0;
  let address = '';
  const writes = [];
  const timers = new Map();
  let nextId = 1;
  const mirror = urlMirror({
    write: (hash) => { address = hash; writes.push({ hash, at: time }); },
    current: () => address,
    intervalMs,
    now: () => time,
    setTimer: (fn, ms) => { timers.set(nextId, { fn, due: time + ms }); return nextId++; },
    clearTimer: (id) => timers.delete(id),
  });
  // runs each timer at its due time, in order
  const tick = (ms) => {
    const end = time + ms;
    for (;;) {
      const [id, next] = [...timers].sort((a, b) => a[1].due - b[1].due)[0] ?? [];
      if (!next || next.due > end) break;
      timers.delete(id);
      time = next.due;
      next.fn();
    }
    time = end;
  };
  return { mirror, writes, tick, pendingTimers: () => timers.size, setAddress: (hash) => { address = hash; } };
}

describe('urlMirror', () => {
  it('writes a change after a calm spell at once', () => {
    const { mirror, writes } = mirrorOnClock();
    mirror.update('#a=1');
    expect(writes).toEqual([{ hash: '#a=1', at: 0 }]);
  });

  it('writes a burst of changes once per interval, ending with the last one', () => {
    const { mirror, writes, tick } = mirrorOnClock(100);
    mirror.update('#t=1');
    for (let k = 2; k <= 20; k++) {
      tick(16);  // a slider drag at about 60 changes a second
      mirror.update(`#t=${k}`);
    }
    tick(200);  // the last change came at 304
    expect(writes.map((w) => w.at)).toEqual([0, 100, 200, 300, 400]);
    expect(writes.at(-1).hash).toBe('#t=20');
    for (let k = 1; k < writes.length; k++) expect(writes[k].at - writes[k - 1].at).toBeGreaterThanOrEqual(100);
  });

  it('does not write a hash the address already has', () => {
    const { mirror, writes, tick } = mirrorOnClock();
    mirror.update('#same');
    tick(500);
    mirror.update('#same');
    expect(writes).toHaveLength(1);
  });

  it('drops a pending write when cancelled, so an address typed meanwhile stays', () => {
    const { mirror, writes, tick, pendingTimers, setAddress } = mirrorOnClock();
    mirror.update('#old=1');
    tick(10);
    mirror.update('#old=2');
    expect(pendingTimers()).toBe(1);
    setAddress('#typed=1');
    mirror.cancel();
    tick(500);
    expect(writes.map((w) => w.hash)).toEqual(['#old=1']);
    expect(pendingTimers()).toBe(0);
  });
});
