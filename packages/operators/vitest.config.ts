import { defineProject } from 'vitest/config';

export default defineProject({
  test: { name: 'operators', include: ['src/**/*.test.ts', 'test/**/*.test.ts'] },
});
