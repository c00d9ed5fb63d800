import { Box } from './box.ts';

/** Axis-aligned 3-D box `[lo_0, hi_0] × [lo_1, hi_1] × [lo_2, hi_2]`. */
export class Cuboid extends Box {
  constructor(lo: ArrayLike<number>, hi: ArrayLike<number>) {
    super(lo, hi, 'Cuboid', 3);
  }
}
