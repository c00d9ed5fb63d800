import fc from 'fast-check';
import {
  Ball,
  Cuboid,
  Disk,
  type Domain,
  difference,
  Ellipse,
  Interval,
  intersection,
  Polygon,
  Rectangle,
  Triangle,
  union,
} from '../src/index.ts';

/** Random-but-valid shapes for property tests, each with a label for failure messages. */
export interface Shape {
  readonly label: string;
  readonly domain: Domain;
}

const coord = fc.double({ min: -2, max: 2, noNaN: true });
const size = fc.double({ min: 0.2, max: 2, noNaN: true });

export const intervalArb = fc
  .tuple(coord, size)
  .map(([lo, s]): Shape => ({ label: `Interval(${lo}, ${lo + s})`, domain: new Interval(lo, lo + s) }));

export const rectangleArb = fc.tuple(coord, coord, size, size).map(
  ([x, y, w, h]): Shape => ({
    label: `Rectangle(${x},${y},${w},${h})`,
    domain: new Rectangle([x, y], [x + w, y + h]),
  }),
);

export const diskArb = fc
  .tuple(coord, coord, size)
  .map(([x, y, r]): Shape => ({ label: `Disk(${x},${y},${r})`, domain: new Disk([x, y], r) }));

export const ellipseArb = fc
  .tuple(coord, coord, size, size, fc.double({ min: -3.2, max: 3.2, noNaN: true }))
  .map(
    ([x, y, a, b, t]): Shape => ({
      label: `Ellipse(${x},${y},${a},${b},${t})`,
      domain: new Ellipse([x, y], a, b, t),
    }),
  );

export const triangleArb = fc
  .tuple(coord, coord, coord, coord, coord, coord)
  .filter(([ax, ay, bx, by, cx, cy]) => Math.abs((bx - ax) * (cy - ay) - (by - ay) * (cx - ax)) > 0.2)
  .map(
    ([ax, ay, bx, by, cx, cy]): Shape => ({
      label: `Triangle(${[ax, ay, bx, by, cx, cy]})`,
      domain: new Triangle([ax, ay], [bx, by], [cx, cy]),
    }),
  );

/** Star-shaped polygons (sorted angles, random radii): simple, usually non-convex. */
export const polygonArb = fc
  .tuple(
    coord,
    coord,
    fc.array(
      fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0.3, max: 1.5, noNaN: true })),
      {
        minLength: 3,
        maxLength: 9,
      },
    ),
  )
  .map(([cx, cy, raw]) => {
    const n = raw.length;
    // Jittered sorted angles keep vertices apart, so edges are never degenerate.
    return raw.map(([j, r], k) => {
      const t = (2 * Math.PI * (k + 0.2 + 0.6 * j)) / n;
      return [cx + r * Math.cos(t), cy + r * Math.sin(t)] as [number, number];
    });
  })
  .map((v): Shape => ({ label: `Polygon(${JSON.stringify(v)})`, domain: new Polygon(v) }));

export const cuboidArb = fc.tuple(coord, coord, coord, size, size, size).map(
  ([x, y, z, a, b, c]): Shape => ({
    label: `Cuboid(${[x, y, z, a, b, c]})`,
    domain: new Cuboid([x, y, z], [x + a, y + b, z + c]),
  }),
);

export const ball3Arb = fc
  .tuple(coord, coord, coord, size)
  .map(([x, y, z, r]): Shape => ({ label: `Ball3(${[x, y, z, r]})`, domain: new Ball([x, y, z], r) }));

export const ball5Arb = size.map(
  (r): Shape => ({ label: `Ball5(${r})`, domain: new Ball([0.1, 0, -0.2, 0.3, 0], r) }),
);

const prim2 = fc.oneof(rectangleArb, diskArb, ellipseArb, triangleArb, polygonArb);

/** Two overlapping primitives (the second is moved onto the first's bounding-box centre). */
export const csgArb = fc
  .tuple(
    fc.constantFrom('union', 'intersection', 'difference'),
    diskArb,
    fc.oneof(rectangleArb, diskArb, ellipseArb),
  )
  .filter(([, a, b]) => {
    const ba = a.domain.bbox();
    const bb = b.domain.bbox();
    return ba.lo.every((v, j) => Math.max(v, bb.lo[j]) < Math.min(ba.hi[j], bb.hi[j]) - 0.1);
  })
  .map(([op, a, b]): Shape => {
    const domain =
      op === 'union'
        ? union(a.domain, b.domain)
        : op === 'intersection'
          ? intersection(a.domain, b.domain)
          : difference(a.domain, b.domain);
    return { label: `${op}(${a.label}, ${b.label})`, domain };
  })
  .filter((s) => s.domain.measure().value > 0.05);

export const shapes2d = fc.oneof(prim2, csgArb);
