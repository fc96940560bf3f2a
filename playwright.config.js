// End-to-end tests of the built playground, driving Debian's Chromium
// (no browser downloads on this machine). The JSON report's stats
// (expected / unexpected / skipped) are read by scripts/test.mjs.
import path from 'node:path';
import { defineConfig } from '@playwright/test';
import { chromiumLaunchOptions } from './scripts/chromium.mjs';

// E2E_PORT and E2E_OUT_DIR let two suites run side by side without sharing a build or a report.
const port = Number(process.env.E2E_PORT ?? 4173);
// Absolute, because Vite resolves --outDir against its root (web/).
const outDir = path.resolve(process.env.E2E_OUT_DIR ?? 'dist');

export default defineConfig({
  testDir: 'tests/e2e',
  // Artifacts of failed tests; a subfolder so other reports in test-results/ survive.
  outputDir: process.env.E2E_OUT_DIR ? `${outDir}-artifacts` : 'test-results/e2e-artifacts',
  workers: 1,
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: 0,
  timeout: 30_000,
  // the JSON report npm test reads; a side-by-side suite writes its own beside its build
  reporter: [['list'], ['json', { outputFile: process.env.E2E_OUT_DIR ? `${outDir}-e2e.json` : 'test-results/e2e.json' }]],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    browserName: 'chromium',
    viewport: { width: 1280, height: 900 },
    launchOptions: chromiumLaunchOptions,
    trace: 'retain-on-failure',
  },
  webServer: {
    command: `npx vite build --outDir ${outDir} && npx vite preview --outDir ${outDir} --host 127.0.0.1 --strictPort --port ${port}`,
    url: `http://127.0.0.1:${port}`,
    reuseExistingServer: !process.env.CI,
    timeout: 120_000,
    stdout: 'ignore',
    stderr: 'pipe',
  },
});
