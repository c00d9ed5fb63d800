#!/usr/bin/env node
// The `pinnate` command: registers tsx (a root devDependency of the workspace) so the
// TypeScript sources run directly, then starts src/main.ts.
//
// Run it as `node packages/cli/bin/pinnate.mjs …`, or from anywhere in the workspace as
// `pnpm --filter @pinnate/cli pinnate …` (the package script): pnpm runs scripts inside
// packages/cli, so we move back to the directory it was invoked from (INIT_CWD) and relative
// paths mean what the user typed.
import { register } from 'tsx/esm/api';

if (process.env.npm_lifecycle_event === 'pinnate' && process.env.INIT_CWD)
  process.chdir(process.env.INIT_CWD);
register();
const { run } = await import('../src/main.ts');
process.exitCode = await run(process.argv.slice(2));
