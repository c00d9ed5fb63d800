/**
 * Errors raised by `@pinnate/geometry`.
 *
 * `GeometryError` is bad input (the message names the argument, its value and what was
 * expected). `UnsupportedError` is a capability a domain does not have (for example the signed
 * distance of a point cloud): callers can catch it by type instead of parsing messages.
 */
export class GeometryError extends Error {
  override readonly name = 'GeometryError';
}

export class UnsupportedError extends Error {
  override readonly name = 'UnsupportedError';
}

/** Throws a `GeometryError` with a lazily built message when `cond` is false. */
export function check(cond: boolean, msg: () => string): asserts cond {
  if (!cond) throw new GeometryError(msg());
}

/** `n` must be a positive integer (a sample count, a grid size). */
export function checkCount(n: number, arg: string, op: string): void {
  check(Number.isInteger(n) && n > 0, () => `${op}: '${arg}' must be a positive integer, got ${n}`);
}

export function checkFinite(v: number, arg: string, op: string): void {
  check(Number.isFinite(v), () => `${op}: '${arg}' must be a finite number, got ${v}`);
}

export function checkVector(v: ArrayLike<number>, dim: number | undefined, arg: string, op: string): void {
  check(
    v != null && typeof v.length === 'number' && v.length > 0,
    () => `${op}: '${arg}' must be a non-empty array of numbers`,
  );
  if (dim !== undefined) {
    check(v.length === dim, () => `${op}: '${arg}' must have length ${dim}, got ${v.length}`);
  }
  for (let i = 0; i < v.length; i++) {
    check(Number.isFinite(v[i]), () => `${op}: '${arg}[${i}]' must be a finite number, got ${v[i]}`);
  }
}
