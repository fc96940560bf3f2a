// Vitest runs only the Node-side API tests; Playwright owns tests/e2e.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/js/**/*.test.js'],
    testTimeout: 60_000,
  },
});
