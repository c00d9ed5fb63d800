/**
 * The run directory every demo, script and the CLI writes (Node only; `node:fs` is loaded
 * lazily so importing this module is harmless in a browser bundle):
 *
 *   <run>/config.json     the configuration the run was started with (any JSON)
 *   <run>/run.json        RunInfo: status, backend, versions, inputs/outputs, timestamps
 *   <run>/metrics.jsonl   one MetricsRecord per line: { step, phase, loss, terms, params, … }
 *   <run>/metrics.json    final scalar metrics (rel. L2 error, final loss, wall time, …)
 *   <run>/checkpoints/    Trainer checkpoints: ckpt-XXXXXX/ and LATEST
 *   <run>/model/          the final model: model.json + params.npz (io/model.ts)
 *   <run>/arrays/*.npy    arrays to plot or reuse: coordinates (x.npy, t.npy), fields
 *                         (u_pred.npy, u_ref.npy), points (points_interior.npy), …
 *   <run>/figures/        <name>.svg, <name>.png, <name>.vl.json (the vega-lite spec)
 *   <run>/report.html     the self-contained report (report/build.ts)
 *
 * `loadArray` and `listArrays` also find `.npy` files at the top level of the directory, so
 * runs written before this layout (`x.npy`, `u_pred.npy` next to `metrics.json`) still report.
 */
import { type NpyArray, type NpyInput, parseNpy, serializeNpy } from '../io/npy.ts';

export const RUN_LAYOUT = {
  config: 'config.json',
  info: 'run.json',
  metrics: 'metrics.jsonl',
  summary: 'metrics.json',
  checkpoints: 'checkpoints',
  model: 'model',
  arrays: 'arrays',
  figures: 'figures',
  report: 'report.html',
} as const;

export type RunStatus = 'running' | 'interrupted' | 'finished' | 'failed';

export interface RunInfo {
  /** Problem or demo name, e.g. 'burgers'. */
  readonly name?: string;
  readonly status?: RunStatus;
  /** ISO timestamps. */
  readonly created?: string;
  readonly updated?: string;
  /** The backend training ran on ('wasm', 'tensorflow', …). */
  readonly backend?: string;
  /** Package versions: { node, '@tensorflow/tfjs', '@pinnate/core', … }. */
  readonly versions?: Readonly<Record<string, string>>;
  /** Input and output names of the model, e.g. ['x', 't'] and ['u']. */
  readonly inputs?: readonly string[];
  readonly outputs?: readonly string[];
  /** The command line that produced the run. */
  readonly command?: string;
  readonly [key: string]: unknown;
}

/** One line of metrics.jsonl. Only `step` is required. */
export interface MetricsRecord {
  readonly step: number;
  readonly phase?: string;
  /** Weighted total loss. */
  readonly loss?: number;
  /** Unweighted loss per term. */
  readonly terms?: Readonly<Record<string, number>>;
  /** Inverse-problem parameters at this step. */
  readonly params?: Readonly<Record<string, number>>;
  /** Seconds since the run started. */
  readonly time?: number;
  readonly [key: string]: unknown;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

function checkName(name: string, what: string, op: string): string {
  if (typeof name !== 'string' || !NAME.test(name) || name.includes('..')) {
    throw new Error(
      `RunDirectory.${op}: '${what}' must be a file name of letters, digits, '_', '-' and '.', got ${JSON.stringify(name)}`,
    );
  }
  return name;
}

async function nodeFs() {
  const fs = await import('node:fs/promises');
  const path = await import('node:path');
  return { fs, path };
}

async function readJson<T>(file: string): Promise<T | null> {
  const { fs } = await nodeFs();
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    return null;
  }
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new Error(`RunDirectory: ${file} is not valid JSON (${e instanceof Error ? e.message : e})`);
  }
}

async function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  const { fs } = await nodeFs();
  const tmp = `${file}.tmp-${process.pid}`;
  await fs.writeFile(tmp, `${JSON.stringify(value, null, 2)}\n`);
  await fs.rename(tmp, file);
}

export class RunDirectory {
  private constructor(readonly dir: string) {}

  /** Create (or reuse) a run directory. */
  static async create(dir: string): Promise<RunDirectory> {
    if (typeof dir !== 'string' || dir.length === 0) {
      throw new Error(`RunDirectory.create: 'dir' must be a non-empty path, got ${JSON.stringify(dir)}`);
    }
    const { fs, path } = await nodeFs();
    const abs = path.resolve(dir);
    await fs.mkdir(abs, { recursive: true });
    return new RunDirectory(abs);
  }

  /** Open an existing run directory; fails with the path when it does not exist. */
  static async open(dir: string): Promise<RunDirectory> {
    const { fs, path } = await nodeFs();
    const abs = path.resolve(dir);
    let st: Awaited<ReturnType<typeof fs.stat>>;
    try {
      st = await fs.stat(abs);
    } catch {
      throw new Error(`RunDirectory.open: run directory '${dir}' does not exist`);
    }
    if (!st.isDirectory()) throw new Error(`RunDirectory.open: '${dir}' is not a directory`);
    return new RunDirectory(abs);
  }

  /** Absolute path of a file inside the run. */
  path(...parts: string[]): string {
    return [this.dir, ...parts].join('/').replace(/\/+/g, '/');
  }

  get checkpointsDir(): string {
    return this.path(RUN_LAYOUT.checkpoints);
  }

  get modelDir(): string {
    return this.path(RUN_LAYOUT.model);
  }

  get reportPath(): string {
    return this.path(RUN_LAYOUT.report);
  }

  // -- config and info ------------------------------------------------------------------------

  async writeConfig(config: unknown): Promise<void> {
    if (config === undefined) throw new Error("RunDirectory.writeConfig: 'config' is undefined");
    await writeJsonAtomic(this.path(RUN_LAYOUT.config), config);
  }

  async readConfig<T = unknown>(): Promise<T | null> {
    return readJson<T>(this.path(RUN_LAYOUT.config));
  }

  /** Merge `info` into run.json (keys given replace old ones) and stamp `updated`. */
  async updateInfo(info: Partial<RunInfo>): Promise<RunInfo> {
    const old = (await this.readInfo()) ?? {};
    const now = new Date().toISOString();
    const merged: RunInfo = { created: now, ...old, ...info, updated: now };
    await writeJsonAtomic(this.path(RUN_LAYOUT.info), merged);
    return merged;
  }

  async readInfo(): Promise<RunInfo | null> {
    return readJson<RunInfo>(this.path(RUN_LAYOUT.info));
  }

  // -- metrics --------------------------------------------------------------------------------

  /** Append records to metrics.jsonl. Non-finite numbers are written as null (JSON has no NaN). */
  async appendMetrics(records: MetricsRecord | readonly MetricsRecord[]): Promise<void> {
    const list = Array.isArray(records) ? records : [records as MetricsRecord];
    for (const [i, r] of list.entries()) {
      if (r === null || typeof r !== 'object' || !Number.isFinite(r.step)) {
        throw new Error(
          `RunDirectory.appendMetrics: record ${i} must be an object with a finite 'step', got ${JSON.stringify(r)}`,
        );
      }
    }
    if (list.length === 0) return;
    const { fs } = await nodeFs();
    await fs.appendFile(this.path(RUN_LAYOUT.metrics), list.map((r) => `${JSON.stringify(r)}\n`).join(''));
  }

  /** All records; a torn last line (a crash mid-write) is skipped, a torn earlier line is an error. */
  async readMetrics(): Promise<MetricsRecord[]> {
    const { fs } = await nodeFs();
    let text: string;
    try {
      text = await fs.readFile(this.path(RUN_LAYOUT.metrics), 'utf8');
    } catch {
      return [];
    }
    const lines = text.split('\n');
    const out: MetricsRecord[] = [];
    lines.forEach((line, i) => {
      if (line.trim() === '') return;
      try {
        out.push(JSON.parse(line) as MetricsRecord);
      } catch {
        const isLast = lines.slice(i + 1).every((l) => l.trim() === '');
        if (!isLast)
          throw new Error(`RunDirectory.readMetrics: ${RUN_LAYOUT.metrics} line ${i + 1} is not JSON`);
      }
    });
    return out;
  }

  /**
   * Drop records with `step > step` (used on resume: steps after the last checkpoint are run
   * again, and must not appear twice).
   */
  async truncateMetrics(step: number): Promise<number> {
    const records = await this.readMetrics();
    const kept = records.filter((r) => r.step <= step);
    const { fs } = await nodeFs();
    const file = this.path(RUN_LAYOUT.metrics);
    if (kept.length !== records.length) {
      const tmp = `${file}.tmp-${process.pid}`;
      await fs.writeFile(tmp, kept.map((r) => `${JSON.stringify(r)}\n`).join(''));
      await fs.rename(tmp, file);
    }
    return records.length - kept.length;
  }

  /** Final metrics (metrics.json), merged into what is there. */
  async writeSummary(summary: Readonly<Record<string, unknown>>): Promise<void> {
    const old = (await this.readSummary()) ?? {};
    await writeJsonAtomic(this.path(RUN_LAYOUT.summary), { ...old, ...summary });
  }

  async readSummary(): Promise<Record<string, unknown> | null> {
    return readJson<Record<string, unknown>>(this.path(RUN_LAYOUT.summary));
  }

  // -- arrays ---------------------------------------------------------------------------------

  /** Write arrays/<name>.npy. */
  async saveArray(name: string, array: NpyInput): Promise<string> {
    checkName(name, 'name', 'saveArray');
    const { fs } = await nodeFs();
    await fs.mkdir(this.path(RUN_LAYOUT.arrays), { recursive: true });
    const file = this.path(RUN_LAYOUT.arrays, `${name.replace(/\.npy$/, '')}.npy`);
    await fs.writeFile(file, serializeNpy(array));
    return file;
  }

  /** Read arrays/<name>.npy, or <name>.npy at the top level; null when neither exists. */
  async loadArray(name: string): Promise<NpyArray | null> {
    checkName(name, 'name', 'loadArray');
    const { fs } = await nodeFs();
    const base = `${name.replace(/\.npy$/, '')}.npy`;
    for (const file of [this.path(RUN_LAYOUT.arrays, base), this.path(base)]) {
      let bytes: Uint8Array;
      try {
        bytes = await fs.readFile(file);
      } catch {
        continue;
      }
      try {
        return parseNpy(bytes);
      } catch (e) {
        throw new Error(`RunDirectory.loadArray: ${file}: ${e instanceof Error ? e.message : e}`);
      }
    }
    return null;
  }

  /** Names (without .npy) of the arrays in arrays/ and at the top level; arrays/ wins ties. */
  async listArrays(): Promise<string[]> {
    const { fs } = await nodeFs();
    const names = new Set<string>();
    for (const d of [this.path(RUN_LAYOUT.arrays), this.dir]) {
      let files: string[];
      try {
        files = await fs.readdir(d);
      } catch {
        continue;
      }
      for (const f of files) if (f.endsWith('.npy') && NAME.test(f)) names.add(f.slice(0, -4));
    }
    return [...names].sort();
  }

  // -- figures and report ---------------------------------------------------------------------

  /** Write figures/<name>.svg, and .png / .vl.json when given. Returns the paths written. */
  async saveFigure(
    name: string,
    figure: { readonly svg?: string; readonly png?: Uint8Array; readonly spec?: unknown },
  ): Promise<string[]> {
    checkName(name, 'name', 'saveFigure');
    if (!figure || (figure.svg === undefined && figure.png === undefined && figure.spec === undefined)) {
      throw new Error(`RunDirectory.saveFigure: figure '${name}' has none of 'svg', 'png', 'spec'`);
    }
    const { fs } = await nodeFs();
    await fs.mkdir(this.path(RUN_LAYOUT.figures), { recursive: true });
    const written: string[] = [];
    const put = async (ext: string, data: string | Uint8Array) => {
      const file = this.path(RUN_LAYOUT.figures, `${name}.${ext}`);
      await fs.writeFile(file, data);
      written.push(file);
    };
    if (figure.svg !== undefined) await put('svg', figure.svg);
    if (figure.png !== undefined) await put('png', figure.png);
    if (figure.spec !== undefined) await put('vl.json', JSON.stringify(figure.spec));
    return written;
  }

  async listFigures(): Promise<string[]> {
    const { fs } = await nodeFs();
    try {
      return (await fs.readdir(this.path(RUN_LAYOUT.figures))).sort();
    } catch {
      return [];
    }
  }

  async writeReport(html: string): Promise<string> {
    if (typeof html !== 'string' || !html.includes('<html')) {
      throw new Error("RunDirectory.writeReport: 'html' must be an HTML document");
    }
    const { fs } = await nodeFs();
    const tmp = `${this.reportPath}.tmp-${process.pid}`;
    await fs.writeFile(tmp, html);
    await fs.rename(tmp, this.reportPath);
    return this.reportPath;
  }
}
