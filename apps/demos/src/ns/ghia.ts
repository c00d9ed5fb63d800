/**
 * Centreline velocities of the lid-driven cavity from
 *
 *   U. Ghia, K. N. Ghia, C. T. Shin, "High-Re solutions for incompressible flow using the
 *   Navier–Stokes equations and a multigrid method", J. Comput. Phys. 48(3):387–411, 1982,
 *   doi:10.1016/0021-9991(82)90058-4. Table I (u along the vertical line through the
 *   geometric centre, x = 0.5) and Table II (v along the horizontal line, y = 0.5), the
 *   Re = 100 and Re = 400 columns, 17 points each (129 × 129 grid, lid speed 1, singular lid:
 *   u = 1 along the whole top wall).
 *
 * The values were typed from the paper's tables and compared digit by digit with two
 * independent transcriptions in public CFD validation scripts. Known quirk kept as printed:
 * Table II, Re = 400, x = 0.9063 reads −0.23827, which breaks the otherwise smooth profile
 * (neighbours −0.22847 and −0.44993); it is widely believed to be a misprint (≈ −0.33827).
 * The demo reports the deviation with and without that point.
 */

export interface GhiaProfile {
  /** Coordinate along the line (y for u, x for v), in [0, 1], as printed (4 decimals). */
  readonly coord: readonly number[];
  readonly value: readonly number[];
}

export interface GhiaTable {
  /** u(0.5, y) against y. */
  readonly u: GhiaProfile;
  /** v(x, 0.5) against x. */
  readonly v: GhiaProfile;
}

const Y = [
  1.0, 0.9766, 0.9688, 0.9609, 0.9531, 0.8516, 0.7344, 0.6172, 0.5, 0.4531, 0.2813, 0.1719, 0.1016, 0.0703,
  0.0625, 0.0547, 0.0,
];
const X = [
  1.0, 0.9688, 0.9609, 0.9531, 0.9453, 0.9063, 0.8594, 0.8047, 0.5, 0.2344, 0.2266, 0.1563, 0.0938, 0.0781,
  0.0703, 0.0625, 0.0,
];

export const GHIA: Readonly<Record<100 | 400, GhiaTable>> = {
  100: {
    u: {
      coord: Y,
      value: [
        1.0, 0.84123, 0.78871, 0.73722, 0.68717, 0.23151, 0.00332, -0.13641, -0.20581, -0.2109, -0.15662,
        -0.1015, -0.06434, -0.04775, -0.04192, -0.03717, 0.0,
      ],
    },
    v: {
      coord: X,
      value: [
        0.0, -0.05906, -0.07391, -0.08864, -0.10313, -0.16914, -0.22445, -0.24533, 0.05454, 0.17527, 0.17507,
        0.16077, 0.12317, 0.1089, 0.10091, 0.09233, 0.0,
      ],
    },
  },
  400: {
    u: {
      coord: Y,
      value: [
        1.0, 0.75837, 0.68439, 0.61756, 0.55892, 0.29093, 0.16256, 0.02135, -0.11477, -0.17119, -0.32726,
        -0.24299, -0.14612, -0.10338, -0.09266, -0.08186, 0.0,
      ],
    },
    v: {
      coord: X,
      value: [
        0.0, -0.12146, -0.15663, -0.19254, -0.22847, -0.23827, -0.44993, -0.38598, 0.05186, 0.30174, 0.30203,
        0.28124, 0.22965, 0.2092, 0.19713, 0.1836, 0.0,
      ],
    },
  },
};

/** The tabulated Reynolds numbers. */
export const GHIA_RE = [100, 400] as const;

export function ghiaTable(re: number): GhiaTable {
  if (re !== 100 && re !== 400) {
    throw new Error(
      `ghiaTable: 're' must be one of ${GHIA_RE.join(', ')} (the tabulated columns), got ${re}`,
    );
  }
  return GHIA[re];
}
