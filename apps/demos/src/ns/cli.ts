/**
 * pnpm --filter @pinnate/demos ns:<case> -- [flags]   (case: kovasznay | cavity | taylor-green | inverse)
 *
 *   tsx src/ns/cli.ts kovasznay --out runs/ns-kovasznay [--re 20] [--seed 0] [--steps N] [--lbfgs N]
 *     [--time-budget SECONDS] [--points N] [--hidden 50,50,50,50] [--lr 2e-3] [--backend wasm]
 *   case-specific: kovasznay --soft | cavity --lid-power 8 | taylor-green --harmonics 1
 *     --t-end 1 | inverse --unknowns nu|lambda --observations 400 --noise 0 --nu-init 0.1
 *
 * Prints a JSON summary; writes metrics.json, arrays/*.npy, figures/ and report.html into --out.
 */
import type { BackendName } from '@pinnate/core';
import { numberFlag } from '../cli_number.ts';
import { type CavityOptions, runCavity } from './cavity.ts';
import { type InverseOptions, runInverse } from './inverse.ts';
import { type KovasznayOptions, runKovasznay } from './kovasznay.ts';
import { runTaylorGreen, type TaylorGreenOptions } from './taylor_green.ts';

export const NS_CASES = ['kovasznay', 'cavity', 'taylor-green', 'inverse'] as const;
export type NsCase = (typeof NS_CASES)[number];

const USAGE = `usage: ns <${NS_CASES.join('|')}> [--out DIR] [--re RE] [--seed S=0] [--steps N] [--lbfgs N]
          [--time-budget SECONDS] [--points N] [--hidden 50,50,50,50] [--lr LR] [--grid N]
          [--backend wasm|cpu|tensorflow|tensorflow-gpu] [--quiet]
  kovasznay:     [--soft]                       (soft Dirichlet terms instead of hard constraints)
  cavity:        [--lid-power M=8]              (regularised lid u = 1 - (2x-1)^M; --re 100 or 400)
  taylor-green:  [--harmonics K=1] [--t-end T=1] [--times N=11]
  inverse:       [--unknowns nu|lambda] [--observations N=400] [--noise SIGMA=0] [--nu-init 0.1]`;

export type NsArgs =
  | { readonly case: 'kovasznay'; readonly options: KovasznayOptions }
  | { readonly case: 'cavity'; readonly options: CavityOptions }
  | { readonly case: 'taylor-green'; readonly options: TaylorGreenOptions }
  | { readonly case: 'inverse'; readonly options: InverseOptions };

/** Parses `<case> [flags]`; throws an error naming the bad flag or value. */
export function parseNsArgs(argv: readonly string[]): NsArgs {
  const args = argv.filter((a) => a !== '--');
  const c = args[0];
  if (!NS_CASES.includes(c as NsCase))
    throw new Error(
      `ns: the first argument must be one of ${NS_CASES.join(', ')}, got '${c ?? ''}'\n${USAGE}`,
    );
  const o: Record<string, unknown> = {};
  const num = numberFlag(`ns ${c}`, USAGE);
  const only = (flag: string, ...cases: NsCase[]) => {
    if (!cases.includes(c as NsCase))
      throw new Error(`ns ${c}: '${flag}' applies to ${cases.join(', ')} only\n${USAGE}`);
  };
  for (let i = 1; i < args.length; i++) {
    const a = args[i];
    const next = () => args[++i];
    switch (a) {
      case '--re':
        o.re = num(a, next());
        break;
      case '--seed':
        o.seed = num(a, next());
        break;
      case '--steps':
        o.steps = num(a, next());
        break;
      case '--lbfgs':
        o.lbfgsIter = num(a, next());
        break;
      case '--time-budget':
        o.timeBudgetSeconds = num(a, next());
        break;
      case '--points':
        o.points = num(a, next());
        break;
      case '--lr':
        o.lr = num(a, next());
        break;
      case '--grid':
        o.grid = num(a, next());
        break;
      case '--hidden':
        o.hidden = (next() ?? '').split(',').map((s) => num(a, s));
        break;
      case '--out':
        o.out = next();
        if (!o.out) throw new Error(`ns ${c}: '--out' needs a directory\n${USAGE}`);
        break;
      case '--backend':
        o.backend = next() as BackendName;
        break;
      case '--quiet':
        o.progress = 'none';
        break;
      case '--soft':
        only(a, 'kovasznay');
        o.hard = false;
        break;
      case '--lid-power':
        only(a, 'cavity');
        o.lidPower = num(a, next());
        break;
      case '--harmonics':
        only(a, 'taylor-green');
        o.harmonics = num(a, next());
        break;
      case '--t-end':
        only(a, 'taylor-green');
        o.tEnd = num(a, next());
        break;
      case '--times':
        only(a, 'taylor-green');
        o.times = num(a, next());
        break;
      case '--unknowns': {
        only(a, 'inverse');
        const u = next();
        if (u !== 'nu' && u !== 'lambda')
          throw new Error(`ns inverse: '--unknowns' must be nu or lambda, got ${u}`);
        o.unknowns = u;
        break;
      }
      case '--observations':
        only(a, 'inverse');
        o.observations = num(a, next());
        break;
      case '--noise':
        only(a, 'inverse');
        o.noise = num(a, next());
        break;
      case '--nu-init':
        only(a, 'inverse');
        o.nuInit = num(a, next());
        break;
      case '--help':
      case '-h':
        throw new Error(USAGE);
      default:
        throw new Error(`ns ${c}: unknown argument '${a}'\n${USAGE}`);
    }
  }
  return { case: c as NsCase, options: o } as NsArgs;
}

/** Runs one case with `out` defaulting to runs/ns-<case>; returns the printable summary. */
export async function runNs(args: NsArgs): Promise<Record<string, unknown>> {
  const out = (args.options.out ?? `runs/ns-${args.case}`) as string;
  // Typed arrays print as objects keyed by index: show them as plain lists, short ones only.
  const pick = (r: object): Record<string, unknown> =>
    Object.fromEntries(
      Object.entries(r)
        .filter(([, v]) => !(ArrayBuffer.isView(v) && (v as Float64Array).length > 32))
        .map(([k, v]) => [
          k,
          ArrayBuffer.isView(v)
            ? Array.from(v as Float64Array)
            : v && typeof v === 'object' && !Array.isArray(v)
              ? pick(v)
              : v,
        ]),
    );
  switch (args.case) {
    case 'kovasznay':
      return { ...pick(await runKovasznay({ ...args.options, out })), out };
    case 'cavity':
      return { ...pick(await runCavity({ ...args.options, out })), out };
    case 'taylor-green':
      return { ...pick(await runTaylorGreen({ ...args.options, out })), out };
    case 'inverse':
      return { ...pick(await runInverse({ ...args.options, out })), out };
    default: {
      const never: never = args;
      throw new Error(`ns: unknown case ${JSON.stringify(never)}`);
    }
  }
}

const isMain = process.argv[1]?.replace(/\\/g, '/').endsWith('ns/cli.ts');
if (isMain) {
  let args: NsArgs;
  try {
    args = parseNsArgs(process.argv.slice(2));
  } catch (e) {
    console.error(e instanceof Error ? e.message : e);
    process.exit(2);
  }
  const summary = await runNs(args);
  console.log(JSON.stringify(summary, null, 2));
}
