/**
 * The demos' command lines read numbers the same way: a flag's value must be a finite number, and
 * a bad one is an error that names the program, the flag and the value, followed by the usage.
 */
export function numberFlag(program: string, usage: string): (flag: string, v: string | undefined) => number {
  return (flag, v) => {
    const n = Number(v);
    if (v === undefined || v.trim() === '' || !Number.isFinite(n))
      throw new Error(
        `${program}: '${flag}' needs a number, got ${v === undefined ? 'nothing' : `'${v}'`}\n${usage}`,
      );
    return n;
  };
}
