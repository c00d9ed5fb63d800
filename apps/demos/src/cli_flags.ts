/**
 * `--name value` / `--name` command lines for the demos that take many options: every flag a
 * program reads is recorded, so `finish()` can reject the ones it does not know, and each
 * accessor's error names the program, the flag and what it expected.
 */
import { numberFlag } from './cli_number.ts';

export interface Flags {
  /** A finite number, or undefined when the flag is absent. */
  num(k: string): number | undefined;
  /** Comma-separated finite numbers. */
  list(k: string): number[] | undefined;
  /** One of `allowed`; `fallback` when absent. */
  choice<const T extends string, F extends T | undefined>(
    k: string,
    allowed: readonly T[],
    fallback: F,
  ): T | F;
  /** Comma-separated values, each one of `allowed`; `fallback` when absent. */
  subset<const T extends string>(k: string, allowed: readonly T[], fallback: readonly T[]): T[];
  /** A string value; undefined when absent (a bare flag is an error). */
  str(k: string): string | undefined;
  /** Whether a bare (or valued) flag is present. */
  has(k: string): boolean;
  /** Throws on any flag none of the accessors above asked for. */
  finish(): void;
}

export function parseFlags(program: string, usage: string, argv: readonly string[]): Flags {
  const args = argv.filter((a) => a !== '--');
  const flags = new Map<string, string | true>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--help' || a === '-h') throw new Error(usage);
    if (!a.startsWith('--')) throw new Error(`${program}: unexpected argument '${a}'\n${usage}`);
    const next = args[i + 1];
    if (next === undefined || next.startsWith('--')) flags.set(a.slice(2), true);
    else {
      flags.set(a.slice(2), next);
      i++;
    }
  }
  const toNumber = numberFlag(program, usage);
  const used = new Set<string>();
  const read = (k: string): string | true | undefined => {
    used.add(k);
    return flags.get(k);
  };
  return {
    num(k) {
      const v = read(k);
      // A bare flag has no value: numberFlag reports it as 'got nothing'.
      return v === undefined ? undefined : toNumber(`--${k}`, v === true ? undefined : v);
    },
    list(k) {
      const v = read(k);
      if (v === undefined) return undefined;
      const xs = v === true ? [] : v.split(',').map((s) => (s.trim() === '' ? Number.NaN : Number(s)));
      if (v === true || xs.some((x) => !Number.isFinite(x)))
        throw new Error(`${program}: '--${k}' needs comma-separated numbers, got '${v}'`);
      return xs;
    },
    choice(k, allowed, fallback) {
      const v = read(k);
      if (v === undefined) return fallback;
      if (!allowed.includes(v as (typeof allowed)[number]))
        throw new Error(
          `${program}: '--${k}' must be ${allowed.map((a) => `'${a}'`).join(' or ')}, got '${v}'`,
        );
      return v as (typeof allowed)[number];
    },
    subset(k, allowed, fallback) {
      const v = read(k);
      if (v === undefined) return [...fallback];
      const xs = v === true ? [''] : v.split(',').map((s) => s.trim());
      for (const x of xs)
        if (!allowed.includes(x as (typeof allowed)[number]))
          throw new Error(`${program}: '--${k}' takes ${allowed.join(', ')} (comma-separated), got '${x}'`);
      return xs as (typeof allowed)[number][];
    },
    str(k) {
      const v = read(k);
      if (v === true) throw new Error(`${program}: '--${k}' needs a value`);
      return v;
    },
    has(k) {
      return read(k) !== undefined;
    },
    finish() {
      for (const k of flags.keys())
        if (!used.has(k)) throw new Error(`${program}: unknown option '--${k}'\n${usage}`);
    },
  };
}
