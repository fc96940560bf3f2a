// Screenshots of the views for the README: node scripts/screenshots.mjs <base-url>
// (serve dist/ first, e.g. npx vite preview --port 4198).
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium } from '@playwright/test';
import { chromiumLaunchOptions } from './chromium.mjs';
import { root } from './setup.mjs';

const base = process.argv[2] ?? 'http://127.0.0.1:4198/';
const outDir = path.join(root, 'docs', 'views');
mkdirSync(outDir, { recursive: true });
const browser = await chromium.launch(chromiumLaunchOptions);
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
for (const view of ['heatmap', 'lines', 'heads', 'steps', 'breakdown', 'output', 'stats']) {
  await page.goto(`${base}#view=${view}&query=9&key=1`);
  await page.waitForFunction(() => window.__attentionPlayground?.lastResult);
  await page.waitForTimeout(300);
  await page.screenshot({ path: path.join(outDir, `${view}.png`) });
}
await browser.close();
