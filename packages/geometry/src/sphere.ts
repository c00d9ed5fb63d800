import { Ball } from './ball.ts';

/** The closed 3-D ball of `radius` around `center` (solid, as DeepXDE's `Sphere`). */
export class Sphere extends Ball {
  constructor(center: ArrayLike<number>, radius: number) {
    super(center, radius, 'Sphere', 3);
  }
}
