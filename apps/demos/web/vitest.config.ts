import { defineProject } from 'vitest/config';

export default defineProject({
  test: { name: 'web', include: ['e2e/**/*.test.ts'], testTimeout: 600_000, hookTimeout: 600_000 },
});
