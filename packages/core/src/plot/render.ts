/**
 * Rendering vega-lite specs without a browser: vega-lite → vega → a headless `View` (renderer
 * 'none') → SVG text. Works in Node and in browsers (no canvas needed). PNG rasterisation is
 * Node-only and lives in @pinnate/cli (`svgToPng`, via @resvg/resvg-js).
 */
import { parse, View, version as vegaVersion } from 'vega';
import { compile, type TopLevelSpec, version as vegaLiteVersion } from 'vega-lite';

export type { TopLevelSpec } from 'vega-lite';

/** Versions of the renderers, for reports. */
export const PLOT_VERSIONS: Readonly<Record<string, string>> = {
  vega: vegaVersion,
  'vega-lite': vegaLiteVersion,
};

/** Compile a vega-lite spec to a vega spec; errors name the failing figure. */
export function compileSpec(spec: TopLevelSpec, name = 'figure'): ReturnType<typeof compile>['spec'] {
  if (spec === null || typeof spec !== 'object') {
    throw new Error(`compileSpec: 'spec' of ${name} must be a vega-lite spec object, got ${String(spec)}`);
  }
  try {
    return compile(spec).spec;
  } catch (e) {
    throw new Error(`compileSpec: vega-lite rejected ${name}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** Render a vega-lite spec to standalone SVG text. */
export async function renderSvg(spec: TopLevelSpec, name = 'figure'): Promise<string> {
  const view = new View(parse(compileSpec(spec, name)), { renderer: 'none', logLevel: 1 /* Warn */ });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
