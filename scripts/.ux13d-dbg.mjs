import { chromium } from '@playwright/test';
import { chromiumLaunchOptions } from './chromium.mjs';
const browser = await chromium.launch(chromiumLaunchOptions);
const page = await browser.newPage({ viewport: { width: 360, height: 740 } });
await page.goto(`http://127.0.0.1:4391/`);
await page.waitForSelector('[data-testid="heatmap"][data-digest]');
console.log(await page.evaluate(() => {
  const out = [];
  for (const sel of ['main', '.layout', '.figure', '.figure-head', '.tabs', '.view-area', '#view-heatmap', '.heatmap-wrap', '[data-testid="heatmap"]', '[data-testid="pipeline"]', '.export-mount', '.view-options']) {
    const el = document.querySelector(sel); const r = el.getBoundingClientRect();
    out.push(`${sel} x=${r.left|0} w=${r.width|0} top=${(r.top+scrollY)|0} h=${r.height|0} scrollW=${el.scrollWidth}`);
  }
  return out.join('\n');
}));
await browser.close();
