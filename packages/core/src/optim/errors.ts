/** Throws `Error(message())` unless `cond`; the message is built only on failure. */
export function check(cond: boolean, message: () => string): asserts cond {
  if (!cond) throw new Error(message());
}

export function checkPositive(op: string, name: string, value: number): void {
  check(
    typeof value === 'number' && Number.isFinite(value) && value > 0,
    () => `${op}: '${name}' must be a finite number > 0, got ${value}`,
  );
}

export function checkNonNegative(op: string, name: string, value: number): void {
  check(
    typeof value === 'number' && Number.isFinite(value) && value >= 0,
    () => `${op}: '${name}' must be a finite number >= 0, got ${value}`,
  );
}

export function checkInteger(op: string, name: string, value: number, min: number): void {
  check(
    Number.isInteger(value) && value >= min,
    () => `${op}: '${name}' must be an integer >= ${min}, got ${value}`,
  );
}
