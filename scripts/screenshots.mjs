// Screenshots for the README: node scripts/screenshots.mjs <base-url>
// (serve dist/ first, e.g. npx vite preview --port 4198). docs/screenshot.png
// is the page as it opens, docs/phone.png the same on a phone's screen, and
// docs/views/<view>.png each view with a query and a key selected.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium } from '@playwright/test';
import { chromiumLaunchOptions } from './chromium.mjs';
import { root } from './setup.mjs';

const base = process.argv[2] ?? 'http://127.0.0.1:4198/';
const outDir = path.join(root, 'docs', 'views');
mkdirSync(outDir, { recursive: true });
const browser = await chromium.launch(chromiumLaunchOptions);

/** Opens base with hash in page and waits until the first result is drawn. */
async function open(page, hash) {
  await page.goto(`${base}${hash}`);
  await page.waitForFunction(() => window.__attentionPlayground?.lastResult);
  await page.waitForTimeout(300);
}

const phone = await browser.newPage({ viewport: { width: 360, height: 740 } });
await open(phone, '');
await phone.screenshot({ path: path.join(root, 'docs', 'phone.png') });
await phone.close();

const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
await open(page, '');
await page.screenshot({ path: path.join(root, 'docs', 'screenshot.png') });
for (const view of ['heatmap', 'lines', 'heads', 'steps', 'breakdown', 'output', 'stats']) {
  await open(page, `#view=${view}&query=9&key=1`);
  await page.screenshot({ path: path.join(outDir, `${view}.png`) });
}
await browser.close();
