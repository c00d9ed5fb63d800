/**
 * pnpm --filter @pinnate/demos pig -- <command> [options]   (see ../../docs/pig.md)
 *
 *   helmholtz      PIG on 2-D Helmholtz (+ the PINN baseline unless --no-baseline)
 *   klein-gordon   PIG on (2+1)-D Klein–Gordon (manufactured solution)
 *   flow-mixing    PIG on (2+1)-D flow mixing (analytic solution)
 *   ablation       Helmholtz: learned vs fixed means
 *   sweep          Helmholtz: number of Gaussians
 */
import { initBackendFromEnv } from '@pinnate/core';
import { runPigCommand } from './commands.ts';

await initBackendFromEnv();
try {
  await runPigCommand(process.argv.slice(2));
} catch (e) {
  console.error((e as Error).message);
  process.exit(1);
}
