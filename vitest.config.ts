import { defineConfig } from 'vitest/config';

// One workspace config: every package's tests run from the root with `pnpm test`.
export default defineConfig({
  test: {
    projects: ['packages/*', 'apps/*', 'apps/demos/web'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
