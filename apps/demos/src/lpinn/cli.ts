/**
 * pnpm --filter @pinnate/demos lpinn -- <convection|convdiff|burgers|all> [--quick] [--out DIR] [options]
 *
 *   convection  β sweep (default 1,10,…,70), LPINN and PINN at each β: table, error-vs-β plot, maps
 *   convdiff    convection–diffusion, β = 30, ν = 0.01 (exact e^{−νt} sin(x − βt))
 *   burgers     viscous Burgers, u0 = sin x + C (C = 10), ν = 0.01, spectral reference
 *   all         the three, into DIR/convection, DIR/convdiff, DIR/burgers
 */
import { join } from 'node:path';
import { numberFlag } from '../cli_number.ts';
import { runBurgersFront } from './burgers.ts';
import type { ModelKind, RecipeOptions } from './common.ts';
import { runConvection } from './convection.ts';

const USAGE = `usage: lpinn <convection|convdiff|burgers|all> [--quick] [--out DIR]
  [--betas 1,10,20,30,40,50,60,70] [--nu ν] [--shift C=10] [--models lpinn,pinn]
  [--steps N=600] [--lbfgs N=150] [--lr 1e-2] [--nx 64] [--nt 32] [--hidden 50,50,50]
  [--hidden-x 50,50] [--ic-weight 100] [--hessian ITER=0] [--seed 0] [--log-every 250]`;

export interface LpinnCliOptions extends RecipeOptions {
  readonly command: 'convection' | 'convdiff' | 'burgers' | 'all';
  readonly quick: boolean;
  readonly out: string;
  readonly betas?: number[];
  readonly nu?: number;
  readonly shift?: number;
  readonly models?: ModelKind[];
}

/** `--quick`: a minutes-long smoke run of the same pipeline (errors are not meaningful). */
export const QUICK: RecipeOptions & { betas: number[] } = {
  steps: 150,
  lbfgs: 30,
  nx: 32,
  nt: 32,
  hidden: [32, 32],
  hiddenX: [16],
  betas: [10, 50],
  logEvery: 50,
};

export function parseLpinnArgs(argv: readonly string[]): LpinnCliOptions {
  const args = argv.filter((a) => a !== '--');
  const command = args[0];
  if (command !== 'convection' && command !== 'convdiff' && command !== 'burgers' && command !== 'all') {
    throw new Error(
      `lpinn: first argument must be convection, convdiff, burgers or all, got '${command ?? ''}'\n${USAGE}`,
    );
  }
  const o: Record<string, unknown> = { command, quick: false };
  const num = numberFlag('lpinn', USAGE);
  const list = (flag: string, v: string | undefined) => (v ?? '').split(',').map((s) => num(flag, s));
  for (let i = 1; i < args.length; i++) {
    const a = args[i];
    const next = () => args[++i];
    switch (a) {
      case '--quick':
        o.quick = true;
        break;
      case '--out':
        o.out = next();
        if (!o.out) throw new Error(`lpinn: '--out' needs a directory\n${USAGE}`);
        break;
      case '--betas':
        o.betas = list(a, next());
        break;
      case '--nu':
        o.nu = num(a, next());
        break;
      case '--shift':
        o.shift = num(a, next());
        break;
      case '--models': {
        const m = (next() ?? '').split(',');
        if (m.some((k) => k !== 'lpinn' && k !== 'pinn'))
          throw new Error(`lpinn: '--models' takes lpinn,pinn, got ${m}`);
        o.models = m;
        break;
      }
      case '--steps':
        o.steps = num(a, next());
        break;
      case '--lbfgs':
        o.lbfgs = num(a, next());
        break;
      case '--lr':
        o.lr = num(a, next());
        break;
      case '--nx':
        o.nx = num(a, next());
        break;
      case '--nt':
        o.nt = num(a, next());
        break;
      case '--hidden':
        o.hidden = list(a, next());
        break;
      case '--hidden-x':
        o.hiddenX = list(a, next());
        break;
      case '--ic-weight':
        o.icWeight = num(a, next());
        break;
      case '--hessian':
        o.hessianIterations = num(a, next());
        break;
      case '--seed':
        o.seed = num(a, next());
        break;
      case '--log-every':
        o.logEvery = num(a, next());
        break;
      case '--help':
      case '-h':
        console.log(USAGE);
        process.exit(0);
        break;
      default:
        throw new Error(`lpinn: unknown argument '${a}'\n${USAGE}`);
    }
  }
  o.out ??= `runs/lpinn-${command}${o.quick ? '-quick' : ''}`;
  return o as unknown as LpinnCliOptions;
}

export async function runLpinnCli(o: LpinnCliOptions): Promise<void> {
  const { command, quick, out, betas, nu, shift, models, ...recipeGiven } = o;
  // Explicit flags override the quick preset.
  const recipe: RecipeOptions = quick ? { ...QUICK, ...definedOnly(recipeGiven) } : recipeGiven;
  const t0 = performance.now();
  const run = async (which: 'convection' | 'convdiff' | 'burgers', dir: string) => {
    switch (which) {
      case 'convection':
        return runConvection({
          ...recipe,
          betas: betas ?? (quick ? QUICK.betas : undefined),
          nu,
          models,
          out: dir,
        });
      case 'convdiff':
        return runConvection({
          ...recipe,
          betas: betas ?? [30],
          nu: nu ?? 0.01,
          models,
          plotBetas: betas ?? [30],
          out: dir,
        });
      case 'burgers':
        return runBurgersFront({ ...recipe, nu, shift, models, out: dir });
      default: {
        const never: never = which;
        throw new Error(`lpinn: unknown case ${String(never)}`);
      }
    }
  };
  if (command === 'all') {
    for (const c of ['convection', 'convdiff', 'burgers'] as const) await run(c, join(out, c));
  } else {
    await run(command, out);
  }
  console.log(
    `lpinn ${command}: done in ${((performance.now() - t0) / 60000).toFixed(1)} min, outputs in ${out}`,
  );
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

const isMain = process.argv[1]?.replace(/\\/g, '/').endsWith('lpinn/cli.ts');
if (isMain) {
  try {
    await runLpinnCli(parseLpinnArgs(process.argv.slice(2)));
  } catch (e) {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  }
}
