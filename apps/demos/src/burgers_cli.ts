/**
 * pnpm --filter @pinnate/demos burgers -- --out runs/burgers [--nu 0.0031831] [--steps 2000]
 *   [--lbfgs 12000] [--lbfgs-rounds 12] [--threads 2] [--seed 0] [--backend wasm] [--resume] [--time-budget 600]
 */
import type { BackendName } from '@pinnate/core';
import { type BurgersOptions, BURGERS_DEFAULTS as D, DEFAULT_NU, runBurgers } from './burgers.ts';
import { numberFlag } from './cli_number.ts';

const USAGE = `usage: burgers [--nu ν=${DEFAULT_NU}] [--steps N=${D.steps}] [--lbfgs N=${D.lbfgsIter}] [--lbfgs-rounds R=${D.lbfgsRounds}] [--lbfgs-warm] [--time-budget SECONDS]
               [--seed S=0] [--out DIR] [--backend wasm|cpu|tensorflow|tensorflow-gpu] [--resume]
               [--points N=${D.points}] [--hidden ${D.hidden.join(',')}] [--threads N=2] [--rwf MEAN,STD]`;

export function parseBurgersArgs(argv: readonly string[]): BurgersOptions {
  const o: Record<string, unknown> = {};
  const num = numberFlag('burgers', USAGE);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => argv[++i];
    switch (a) {
      case '--nu':
        o.nu = num(a, next());
        break;
      case '--steps':
        o.steps = num(a, next());
        break;
      case '--lbfgs':
        o.lbfgsIter = num(a, next());
        break;
      case '--lbfgs-rounds':
        o.lbfgsRounds = num(a, next());
        break;
      case '--lbfgs-warm':
        o.lbfgsWarmStart = true;
        break;
      case '--time-budget':
        o.timeBudgetSeconds = num(a, next());
        break;
      case '--seed':
        o.seed = num(a, next());
        break;
      case '--points':
        o.points = num(a, next());
        break;
      case '--rwf': {
        // mean,std of the log-scales (e.g. 1,0.1)
        const [mean, std] = (next() ?? '').split(',').map((v) => num(a, v));
        o.factorization = { mean, std: std ?? 0.1 };
        break;
      }
      case '--threads':
        o.threads = num(a, next());
        break;
      case '--hidden':
        o.hidden = (next() ?? '').split(',').map((s) => num(a, s));
        break;
      case '--out':
        o.out = next();
        if (!o.out) throw new Error(`burgers: '--out' needs a directory\n${USAGE}`);
        break;
      case '--backend':
        o.backend = next() as BackendName;
        break;
      case '--resume':
        o.resume = true;
        break;
      case '--':
        break;
      case '--help':
      case '-h':
        console.log(USAGE);
        process.exit(0);
        break;
      default:
        throw new Error(`burgers: unknown argument '${a}'\n${USAGE}`);
    }
  }
  if (o.resume && !o.out)
    throw new Error(`burgers: '--resume' needs '--out DIR' (the checkpoint is in DIR/checkpoint)`);
  return o as BurgersOptions;
}

const isMain =
  process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/').split('/').pop() ?? '');
if (isMain) {
  const options = parseBurgersArgs(process.argv.slice(2));
  const r = await runBurgers({ out: 'runs/burgers', ...options });
  console.log(
    JSON.stringify(
      {
        relL2: r.relL2,
        nu: r.nu,
        steps: r.steps,
        lbfgsIterations: r.lbfgsIterations,
        wallSeconds: Number(r.wallSeconds.toFixed(1)),
        msPerStep: Number(r.msPerStep.toFixed(1)),
        backend: r.backend,
        out: options.out ?? 'runs/burgers',
      },
      null,
      2,
    ),
  );
}
