// The playground's repaint benchmark (bench/repaint.mjs) on two checkouts,
// one after the other in rounds, in one Chromium: for telling a change's
// effect on the control-to-repaint time from the machine's noise. Each root
// needs its node_modules and wasm/generated (a `git worktree` with both
// copied in will do).
//   node bench/repaint-ab.mjs <root A> <root B> [rounds, default 3]
import path from 'node:path';
import { withChromium } from './chromium.mjs';
import { runRepaint } from './repaint.mjs';

const [a, b, roundsArg] = process.argv.slice(2);
if (!a || !b) {
  console.error('usage: node bench/repaint-ab.mjs <root A> <root B> [rounds]');
  process.exit(2);
}
const roots = [path.resolve(a), path.resolve(b)];
const rounds = Number(roundsArg ?? 3);
await withChromium(async (browser) => {
  for (let round = 1; round <= rounds; round++) {
    for (const root of roots) {
      const r = await runRepaint(browser, { root, log: () => {} });
      const { waitForFrameMs, computeAndDrawMs, paintMs } = r.breakdown;
      console.log(`round ${round} ${root}: ${r.medianMs.toFixed(1)} ms median of ${r.trials} to the frame after the repaint `
        + `(wait ${waitForFrameMs.toFixed(1)}, compute and draw ${computeAndDrawMs.toFixed(1)}, paint ${paintMs.toFixed(1)})`);
    }
  }
});
