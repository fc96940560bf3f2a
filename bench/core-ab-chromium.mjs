// bench/core-ab.mjs in headless Chromium (Debian's, driven by Playwright): the
// same builds, interleaved in one page, cross-origin isolated as the bench page is.
//   node bench/core-ab-chromium.mjs N HEADS [--causal] a.wasm [b.wasm ...]
// A file named `engine` times the packaged engine's whole engine.attention call.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ENGINE, readArgs } from './core-ab-lib.mjs';
import { openPage, withChromium } from './chromium.mjs';
import { CROSS_ORIGIN_ISOLATION, serveStatic } from './serve.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { n, heads, causal, files, usage } = readArgs(process.argv.slice(2), 'core-ab-chromium.mjs');
if (usage) {
  console.error(usage);
  process.exit(2);
}
const bytes = new Map();
for (const file of files) if (file !== ENGINE) bytes.set(file, await readFile(file));

const server = await serveStatic({
  root,
  allow: ['/bench/', '/wasm/'],
  headers: CROSS_ORIGIN_ISOLATION,
});
try {
  await withChromium(async (browser) => {
    const context = await browser.newContext();
    // the builds are files anywhere on disk: the page fetches them from /ab/<file>
    await context.route('**/ab/*', (route) => {
      const file = decodeURIComponent(new URL(route.request().url()).pathname.slice('/ab/'.length));
      route.fulfill({ body: bytes.get(file), contentType: 'application/wasm', headers: { 'cross-origin-resource-policy': 'same-origin' } });
    });
    const page = await openPage(context, `${server.url}/bench/chromium/core-ab.html`, (line) => console.log(line));
    await page.waitForFunction(() => window.abReady === true);
    const lines = await page.evaluate((request) => window.compareBuilds(request), { n, heads, causal, files });
    for (const line of lines) console.log(line);
  });
} finally {
  await server.close();
}
