/**
 * `@pinnate/geometry`: domains, constructive solid geometry, signed distances, normals and
 * collocation sampling on plain typed arrays (no tfjs). Points are `Points` — row-major
 * `Float64Array` batches `[n, dim]`.
 */

export {
  type AdaptiveOptions,
  adaptiveProbabilities,
  type ResidualFn,
  rad,
  radFromResiduals,
  rarD,
  rarDFromResiduals,
} from './adaptive.ts';
export { Ball, Disk, Hypersphere } from './ball.ts';
export { Box, Hypercube, Rectangle } from './box.ts';
export { Csg, type CsgOp, difference, intersection, union } from './csg.ts';
export { Cuboid } from './cuboid.ts';
export {
  BaseDomain,
  type BBox,
  collectAccepted,
  type Domain,
  type Measure,
  type SdfKind,
  scaleToBox,
  type UnitMap,
} from './domain.ts';
export { Ellipse } from './ellipse.ts';
export { GeometryError, UnsupportedError } from './errors.ts';
export { Interval } from './interval.ts';
export { type Grid, gridMask, insideMask, regularGrid } from './mask.ts';
export { PointCloud, type PointCloudOptions } from './point_cloud.ts';
export {
  checkPoints,
  concat,
  emptyPoints,
  filter,
  fromRows,
  type Points,
  points,
  row,
  take,
  toRows,
} from './points.ts';
export { Polygon } from './polygon.ts';
export { l2StarDiscrepancy } from './samplers/discrepancy.ts';
export { gridShape, unitGrid } from './samplers/grid.ts';
export {
  firstPrimes,
  Halton,
  type HaltonOptions,
  halton,
  hammersley,
  radicalInverse,
} from './samplers/halton.ts';
export { latinHypercube } from './samplers/lhs.ts';
export { randomUnit } from './samplers/random.ts';
export { SOBOL_MAX_DIM, Sobol, type SobolOptions, sobol, sobolDirections } from './samplers/sobol.ts';
export {
  type RngLike,
  SAMPLER_KINDS,
  type SampleOptions,
  type SamplerKind,
  sampleUnitCube,
  toRng,
  type UnitStream,
  unitStream,
} from './samplers/stream.ts';
export { SpaceTime } from './space_time.ts';
export { Sphere } from './sphere.ts';
export { type ScatterOptions, type ScatterSeries, scatterSvg } from './svg.ts';
export { TimeDomain } from './time_domain.ts';
export { Triangle } from './triangle.ts';
