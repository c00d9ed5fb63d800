/**
 * Training progress output: a single redrawn line with a bar in a terminal, plain lines
 * elsewhere (CI logs), or nothing.
 */
export type ProgressMode = 'auto' | 'bar' | 'lines' | 'none';

export interface ProgressSink {
  write(s: string): void;
  readonly isTTY?: boolean;
}

export interface ProgressLine {
  readonly phase: string;
  readonly step: number;
  readonly total: number;
  readonly loss: number;
  readonly terms: Readonly<Record<string, number>>;
  readonly msPerStep: number;
}

const fmt = (v: number) => (Number.isFinite(v) ? v.toExponential(3) : String(v));

export function formatProgress(p: ProgressLine, width = 24): { bar: string; line: string } {
  const frac = p.total > 0 ? Math.min(1, p.step / p.total) : 1;
  const filled = Math.round(frac * width);
  const bar = `[${'='.repeat(Math.max(0, filled - 1))}${filled > 0 ? '>' : ''}${' '.repeat(width - filled)}]`;
  const terms = Object.entries(p.terms)
    .map(([k, v]) => `${k} ${fmt(v)}`)
    .join(', ');
  const eta =
    p.total > p.step && Number.isFinite(p.msPerStep)
      ? ` ETA ${formatDuration(((p.total - p.step) * p.msPerStep) / 1000)}`
      : '';
  const line = `${p.phase} ${p.step}/${p.total} loss ${fmt(p.loss)} (${terms}) ${p.msPerStep.toFixed(1)} ms/step${eta}`;
  return { bar, line };
}

/** 75 → '1m15s', 3725 → '1h02m', 9.4 → '9s'. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export class Progress {
  private readonly mode: Exclude<ProgressMode, 'auto'>;
  private drawn = false;

  constructor(
    mode: ProgressMode,
    private readonly sink: ProgressSink | null,
  ) {
    this.mode = mode === 'auto' ? (sink?.isTTY ? 'bar' : 'lines') : mode;
    if (!sink) this.mode = 'none';
  }

  update(p: ProgressLine): void {
    if (this.mode === 'none' || !this.sink) return;
    const { bar, line } = formatProgress(p);
    if (this.mode === 'bar') {
      this.sink.write(`\r\x1b[2K${bar} ${line}`);
      this.drawn = true;
    } else {
      this.sink.write(`${line}\n`);
    }
  }

  message(s: string): void {
    if (this.mode === 'none' || !this.sink) return;
    this.end();
    this.sink.write(`${s}\n`);
  }

  end(): void {
    if (this.drawn && this.sink) this.sink.write('\n');
    this.drawn = false;
  }
}
