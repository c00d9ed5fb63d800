/** Argument checks shared by the DeepONet files: every message names the op and the argument. */

export function checkInt(value: unknown, name: string, op: string, min = 1): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new Error(`${op}: '${name}' must be an integer ≥ ${min}, got ${String(value)}`);
  }
  return value;
}

export function checkLength(
  a: ArrayLike<number>,
  expected: number,
  name: string,
  op: string,
  what: string,
): void {
  if (!a || a.length !== expected) {
    throw new Error(
      `${op}: '${name}' must have ${what} = ${expected} entries, got ${a ? a.length : String(a)}`,
    );
  }
}
