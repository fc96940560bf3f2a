// `npm test`: set up the machine, then run the four layers (GoogleTest via
// CTest, Vitest in Node, Playwright in Chromium, and the libFuzzer target for
// ATTN_FUZZ_SECONDS, default 60, counted as one test) and print one line with
// the totals, which CI reads: "N passed, N failed, N skipped".
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { root, setup } from './setup.mjs';

const resultsDir = path.join(root, 'test-results');

function runLayer(name, command, args) {
  console.log(`\n=== ${name}: ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  const output = result.stdout?.toString() ?? '';
  process.stdout.write(output);
  return { status: result.status, output };
}

function readJson(file) {
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : null;
}

function ctestCounts({ status, output }) {
  const match = output.match(/(\d+)% tests passed, (\d+) tests failed out of (\d+)/);
  if (!match) return { passed: 0, failed: 1, skipped: 0, note: `ctest printed no summary (exit ${status})` };
  const failed = Number(match[2]);
  const total = Number(match[3]);
  const skipped = Number(output.match(/(\d+) tests? (?:were|was) skipped/)?.[1] ?? 0);
  return { passed: total - failed - skipped, failed, skipped };
}

function vitestCounts({ status }, file) {
  const report = readJson(file);
  if (!report) return { passed: 0, failed: 1, skipped: 0, note: `vitest wrote no report (exit ${status})` };
  return {
    passed: report.numPassedTests,
    failed: report.numFailedTests + (report.numFailedTestSuites ?? 0) + (status !== 0 && report.numFailedTests === 0 ? 1 : 0),
    skipped: report.numPendingTests + report.numTodoTests,
  };
}

// Runs the fuzz target on its corpus (kept in build/, out of git) for a bounded
// time. libFuzzer reports on stderr; a clean run ends "Done N runs in T second(s)",
// a failure leaves its input in build/fuzz/artifacts/ and prints why.
function runFuzz() {
  const seconds = Number(process.env.ATTN_FUZZ_SECONDS ?? 60);
  const fuzzer = path.join(root, 'build', 'fuzz', 'tests', 'fuzz', 'fused_attention_fuzzer');
  const corpus = path.join(root, 'build', 'fuzz', 'corpus');
  const artifacts = path.join(root, 'build', 'fuzz', 'artifacts');
  mkdirSync(corpus, { recursive: true });
  mkdirSync(artifacts, { recursive: true });
  const args = [`-max_total_time=${seconds}`, '-timeout=30', '-rss_limit_mb=2048', `-artifact_prefix=${artifacts}/`, corpus];
  console.log(`\n=== fuzz: ${path.relative(root, fuzzer)} ${args.join(' ')}`);
  const result = spawnSync(fuzzer, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 256 * 2 ** 20 });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  const done = output.match(/Done (\d+) runs in (\d+) second/);
  if (result.status === 0 && done) {
    console.log(`fuzz: ${done[1]} runs in ${done[2]} s against the float64 reference, no failure`);
    return { passed: 1, failed: 0, skipped: 0 };
  }
  process.stdout.write(output.split('\n').filter((line) => !line.startsWith('#')).slice(-60).join('\n'));
  return { passed: 0, failed: 1, skipped: 0, note: `fuzzer exit ${result.status ?? result.signal}; input kept in build/fuzz/artifacts/` };
}

function playwrightCounts({ status }, file) {
  const report = readJson(file);
  if (!report) return { passed: 0, failed: 1, skipped: 0, note: `playwright wrote no report (exit ${status})` };
  const { expected, unexpected, skipped, flaky } = report.stats;
  const errors = report.errors?.length ?? 0;
  return { passed: expected + flaky, failed: unexpected + errors + (status !== 0 && unexpected + errors === 0 ? 1 : 0), skipped };
}

try {
  setup({ native: true, fuzz: true });
} catch (error) {
  console.error(error.message);
  console.log('0 passed, 1 failed');
  process.exit(1);
}
rmSync(resultsDir, { recursive: true, force: true });
mkdirSync(resultsDir, { recursive: true });

const vitestReport = path.join(resultsDir, 'vitest.json');
// playwright.config.js's json reporter writes here.
const playwrightReport = path.join(resultsDir, 'e2e.json');
const layers = [
  ['core (ctest)', ctestCounts(runLayer('core', 'ctest', ['--test-dir', 'build/native', '--output-on-failure']))],
  ['js (vitest)', vitestCounts(runLayer('js', 'npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile=${vitestReport}`]), vitestReport)],
  ['e2e (playwright)', playwrightCounts(runLayer('e2e', 'npx', ['playwright', 'test']), playwrightReport)],
  ['fuzz (libFuzzer)', runFuzz()],
];

const total = { passed: 0, failed: 0, skipped: 0 };
console.log('');
for (const [name, counts] of layers) {
  console.log(`${name}: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped${counts.note ? ` (${counts.note})` : ''}`);
  total.passed += counts.passed;
  total.failed += counts.failed;
  total.skipped += counts.skipped;
}
console.log(`${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
process.exit(total.failed === 0 && total.passed > 0 ? 0 : 1);
