/**
 * `pinnate` command line. `run(argv)` returns the exit code (0 ok, 1 error, 130 aborted by a
 * second Ctrl-C); bin/pinnate.mjs calls it.
 */
import type { BackendName, ProgressMode } from '@pinnate/core';
import { Command, CommanderError, Option } from 'commander';

// The commands load tfjs and vega (seconds): import them only when a command runs, so
// `pinnate --help` and usage errors answer at once.
const commands = () => import('./commands.ts');

export interface RunIo {
  readonly stdout?: { write(s: string): unknown; readonly isTTY?: boolean };
  readonly stderr?: { write(s: string): unknown };
  /** Install SIGINT handling for train/resume (default true; tests pass false and use `signal`). */
  readonly handleSignals?: boolean;
  readonly signal?: AbortSignal;
}

const BACKENDS = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];
const PROGRESS = ['auto', 'bar', 'lines', 'none'];

function positiveInt(name: string) {
  return (v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be an integer ≥ 1, got '${v}'`);
    return n;
  };
}

function positiveNumber(name: string) {
  return (v: string) => {
    const n = Number(v);
    if (!(Number.isFinite(n) && n > 0)) throw new Error(`${name} must be a number > 0, got '${v}'`);
    return n;
  };
}

export async function run(argv: readonly string[], io: RunIo = {}): Promise<number> {
  const out = io.stdout ?? process.stdout;
  const err = io.stderr ?? process.stderr;
  const sink = { write: (s: string) => void out.write(s), isTTY: Boolean(out.isTTY) };
  const controller = new AbortController();
  const signal = io.signal ?? controller.signal;
  let sigints = 0;
  const onSigint = () => {
    sigints++;
    if (sigints === 1) {
      err.write(
        '\ninterrupt: stopping after this step and writing a checkpoint (Ctrl-C again to abort now)\n',
      );
      controller.abort();
    } else {
      err.write('aborted without a checkpoint\n');
      process.exit(130);
    }
  };
  const withSignals = async <T>(f: () => Promise<T>): Promise<T> => {
    if (io.handleSignals === false) return f();
    process.on('SIGINT', onSigint);
    try {
      return await f();
    } finally {
      process.off('SIGINT', onSigint);
    }
  };
  const command = `pinnate ${argv.join(' ')}`;

  const program = new Command('pinnate')
    .description('Train, resume, report on and evaluate Pinnate runs')
    .exitOverride()
    .configureOutput({ writeOut: (s) => out.write(s), writeErr: (s) => err.write(s) })
    .showHelpAfterError();

  const backendOption = () =>
    new Option('--backend <name>', 'tfjs backend (default: best available)').choices(BACKENDS);

  program
    .command('train')
    .description('train from a JSON config into a new run directory')
    .argument('<config>', 'run config (.json)')
    .option('-o, --out <dir>', 'run directory (default runs/<name>-<timestamp>)')
    .addOption(backendOption())
    .addOption(new Option('--progress <mode>', 'progress output').choices(PROGRESS).default('auto'))
    .option(
      '--stop-after <steps>',
      'interrupt after this many steps (checkpoint, then `resume`)',
      positiveInt('--stop-after'),
    )
    .option('--no-report', 'skip report.html at the end')
    .option('--no-png', 'write SVG figures only')
    .option('--force', 'reuse a run directory that already holds a run')
    .action(async (config: string, o) => {
      const { train } = await commands();
      await withSignals(() =>
        train(config, {
          out: o.out,
          backend: o.backend as BackendName | undefined,
          progress: o.progress as ProgressMode,
          stopAfter: o.stopAfter,
          report: o.report,
          png: o.png,
          force: Boolean(o.force),
          output: sink,
          signal,
          command,
        }),
      );
    });

  program
    .command('resume')
    .description('continue a run from its latest checkpoint')
    .argument('<runDir>', 'run directory')
    .option('--steps <n>', 'new total number of Adam steps (extends a finished run)', positiveInt('--steps'))
    .addOption(backendOption())
    .addOption(new Option('--progress <mode>', 'progress output').choices(PROGRESS).default('auto'))
    .option('--stop-after <steps>', 'interrupt again after this many steps', positiveInt('--stop-after'))
    .option('--no-report', 'skip report.html at the end')
    .option('--no-png', 'write SVG figures only')
    .action(async (runDir: string, o) => {
      const { resume } = await commands();
      await withSignals(() =>
        resume(runDir, {
          steps: o.steps,
          backend: o.backend as BackendName | undefined,
          progress: o.progress as ProgressMode,
          stopAfter: o.stopAfter,
          report: o.report,
          png: o.png,
          output: sink,
          signal,
          command,
        }),
      );
    });

  program
    .command('report')
    .description('write figures/ (SVG + PNG) and report.html from what a run directory holds')
    .argument('<runDir>', 'run directory')
    .option('--no-png', 'write SVG figures only')
    .option('--scale <x>', 'PNG pixel density', positiveNumber('--scale'), 2)
    .action(async (runDir: string, o) => {
      const { report } = await commands();
      await report(runDir, { output: sink, png: o.png, scale: o.scale });
    });

  program
    .command('data')
    .description(
      'generate a reference dataset (.npy + manifest.json): pinnate data <kind> --n N --res R --seed S --out DIR',
    )
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .argument('[args...]', 'kind and options, see `pinnate data --help`')
    .action(async (args: string[]) => {
      const { runDataCommand } = await import('@pinnate/operators');
      await runDataCommand(args);
    });

  program
    .command('predict')
    .description("evaluate a run's model at points from a .npy file")
    .argument('<runDir>', 'run directory')
    .requiredOption('-i, --input <points.npy>', 'points [N, inputs] (float32/float64)')
    .requiredOption('-o, --out <values.npy>', 'where to write float32 values [N, outputs]')
    .addOption(backendOption())
    .action(async (runDir: string, o) => {
      const { predict } = await commands();
      await predict(runDir, {
        input: o.input,
        out: o.out,
        backend: o.backend as BackendName | undefined,
        output: sink,
      });
    });

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version exit 0; usage errors were already printed by commander.
      return e.exitCode === 0 || e.code === 'commander.helpDisplayed' || e.code === 'commander.help' ? 0 : 1;
    }
    const message = e instanceof Error ? e.message : String(e);
    err.write(`pinnate: ${message}\n`);
    return 1;
  }
}
