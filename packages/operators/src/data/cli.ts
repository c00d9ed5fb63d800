/** Entry of `pnpm --filter @pinnate/operators data …`; the command itself is in command.ts. */
import { DataCommandError, runDataCommand } from './command.ts';

runDataCommand(process.argv.slice(2)).catch((e: unknown) => {
  process.stderr.write(`pinnate data: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(e instanceof DataCommandError ? 2 : 1);
});
