import { Polygon } from './polygon.ts';

type Vertex = readonly [number, number] | readonly number[];

/** The closed triangle with vertices `a`, `b`, `c` (either orientation; collinear rejected). */
export class Triangle extends Polygon {
  constructor(a: Vertex, b: Vertex, c: Vertex) {
    super([a, b, c], 'Triangle');
  }
}
