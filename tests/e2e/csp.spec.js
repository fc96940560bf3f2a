// The embeddable build under a strict Content Security Policy, as tutorial
// sites have: scripts from the site only plus WebAssembly compilation
// (script-src 'self' 'wasm-unsafe-eval'), no inline script, no unsafe-eval.
import { expect, test } from '@playwright/test';
import { latestDetail } from './support.js';

const POLICY = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'";

/** Records CSP violations (from the event and from the console) and other errors of the page and its frames. */
async function watchPolicy(page) {
  const problems = [];
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || 'inline'}`);
    });
  });
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  return problems;
}

/** Serves every HTML page of the site with policy as a response header. */
async function serveWithPolicy(page, policy) {
  await page.route(
    (url) => url.pathname.endsWith('.html'),
    async (route) => {
      const response = await route.fetch();
      await route.fulfill({ response, headers: { ...response.headers(), 'content-security-policy': policy } });
    },
  );
}

test.describe('a strict Content Security Policy', () => {
  test('the CSP example (policy in a meta tag) computes with the element and the JS API, with no violation', async ({ page }) => {
    const problems = await watchPolicy(page);
    await page.goto('/examples/csp.html');
    const element = page.getByTestId('playground');
    await expect(element.getByTestId('heatmap')).toHaveAttribute('data-rows', '6');
    const detail = await latestDetail(element);
    expect([detail.heads, detail.queries]).toEqual([2, 6]);
    // The API's 2×2 causal example: the first query sees only the first key.
    await expect(page.getByTestId('api-result')).toHaveText(/^JS API weights: 1\.0000, 0\.0000, 0\.\d{4}, 0\.\d{4}$/);
    await element.getByLabel('Sentence').fill('a b c');
    await expect(element.getByTestId('heatmap')).toHaveAttribute('data-rows', '3');
    expect(problems).toEqual([]);
  });

  // Each page, and what else on it must have worked besides its first element.
  for (const [name, url, checkRest] of [
    ['the iframe page', '/embed.html#text=the+cat+sat&heads=2&controls=full', async () => {}],
    ['the tutorial (with its iframe)', '/examples/tutorial.html', async (page) => {
      await page.locator('iframe').scrollIntoViewIfNeeded();
      await expect(page.frameLocator('iframe').locator('attention-playground').getByTestId('head-tile-average')).toBeVisible();
      await expect(page.getByTestId('steps-demo').getByTestId('steps-output')).toHaveText(/^\[/);
      await expect(page.getByTestId('api-table').locator('tbody tr')).toHaveCount(3);
    }],
  ]) {
    test(`${name} works with the policy as a response header`, async ({ page }) => {
      const problems = await watchPolicy(page);
      await serveWithPolicy(page, POLICY);
      await page.goto(url);
      const element = page.locator('attention-playground').first();
      await expect(element.getByTestId('heatmap')).toHaveAttribute('data-digest', /\S/);
      await checkRest(page);
      expect(problems).toEqual([]);
    });
  }

  test('the page\'s train mode works under the policy: its worker, uPlot\'s charts and Moby-Dick\'s bundled text', async ({ page }) => {
    test.setTimeout(90_000);
    const problems = await watchPolicy(page);
    await serveWithPolicy(page, POLICY);
    await page.goto('/index.html#input=train&task=text&layers=1&heads=2&width=16&context=16&batch=4&steps=50&seed=1');
    await expect(page.getByTestId('train-start')).toBeEnabled({ timeout: 60_000 });
    await expect(page.getByTestId('train-text-note')).toContainText('Learning Moby-Dick, the whole book');
    await page.getByTestId('train-step').click();
    await expect(page.getByTestId('train-loss-chart')).toHaveAttribute('data-points', '1', { timeout: 30_000 });
    await expect(page.getByTestId('train-loss-chart').locator('canvas')).toHaveCount(1);
    await expect(page.getByTestId('train-grid').locator('canvas')).toHaveCount(3);
    expect(problems).toEqual([]);
  });

  test('the check sees a violation: without wasm-unsafe-eval the core is refused and the element says so', async ({ page }) => {
    const problems = await watchPolicy(page);
    await serveWithPolicy(page, POLICY.replace(" 'wasm-unsafe-eval'", ''));
    await page.goto('/embed.html#text=a+b');
    await expect(page.getByTestId('playground').getByRole('alert')).toContainText('The WebAssembly core failed to load');
    expect(problems.some((p) => /CSP violation|Content Security Policy/i.test(p))).toBe(true);
  });

  test('the built module uses no eval or new Function', async ({ request }) => {
    const code = await (await request.get('/attention-playground.js')).text();
    expect(code.length).toBeGreaterThan(10_000);
    expect(code).not.toMatch(/\bnew Function\b|\beval\(/);
  });
});
