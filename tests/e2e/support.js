// Helpers shared by the e2e specs.
import { expect } from '@playwright/test';

/** Collects console errors and uncaught page errors; a test expects it to stay empty. */
export function watchErrors(page) {
  const errors = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  return errors;
}

/** Opens the main page (with an optional hash) and waits for its first heatmap. */
export async function openPlayground(page, hash = '') {
  await page.goto(`/${hash}`);
  await expect(page.getByTestId('heatmap')).toHaveAttribute('data-digest', /\S/);
}
