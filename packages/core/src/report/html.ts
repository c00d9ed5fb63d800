/**
 * A self-contained HTML report: inline CSS, figures as inline SVG (their ids prefixed per
 * figure so clip paths and gradients never collide), tables of metrics and arrays, the
 * config, backend and versions. No scripts, no network: it opens offline in any browser.
 * Browser-safe (string building only).
 */

export interface ReportFigure {
  /** File-name-safe id, e.g. 'loss'. */
  readonly name: string;
  readonly title: string;
  readonly caption?: string;
  readonly svg: string;
}

export interface ReportContent {
  readonly title: string;
  readonly subtitle?: string;
  /** Rows of the metrics table. */
  readonly metrics: readonly (readonly [string, string | number])[];
  readonly figures: readonly ReportFigure[];
  /** Rows of the environment table: backend, versions, status, timestamps, command. */
  readonly environment: readonly (readonly [string, string])[];
  /** Rows of the arrays table: name, shape, dtype. */
  readonly arrays?: readonly (readonly [string, string, string])[];
  readonly config?: unknown;
  /** Things the report could not show and why. */
  readonly notes?: readonly string[];
}

export function escapeHtml(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": '#39' }[c]};`,
  );
}

/** Make every id in `svg` unique to `prefix`, and strip the XML prolog if any. */
export function scopeSvgIds(svg: string, prefix: string): string {
  const ids = new Set<string>();
  for (const m of svg.matchAll(/\sid="([^"]+)"/g)) ids.add(m[1]);
  let out = svg.replace(/^<\?xml[^>]*>\s*/, '');
  if (ids.size === 0) return out;
  const p = (id: string) => (ids.has(id) ? `${prefix}-${id}` : id);
  out = out.replace(/(\sid=")([^"]+)(")/g, (_, a, id, b) => `${a}${p(id)}${b}`);
  out = out.replace(/url\(#([^)]+)\)/g, (_, id) => `url(#${p(id)})`);
  out = out.replace(/((?:xlink:)?href=")#([^"]+)(")/g, (_, a, id, b) => `${a}#${p(id)}${b}`);
  return out;
}

function formatValue(v: string | number): string {
  if (typeof v === 'string') return v;
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v) && Math.abs(v) < 1e9) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(3) : Number(v.toPrecision(4)).toString();
}

function table(
  head: readonly string[],
  rows: readonly (readonly (string | number)[])[],
  cls: string,
): string {
  const th = head.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const trs = rows
    .map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(formatValue(c))}</td>`).join('')}</tr>`)
    .join('\n');
  return `<table class="${cls}"><thead><tr>${th}</tr></thead><tbody>\n${trs}\n</tbody></table>`;
}

const CSS = `
:root { color-scheme: light; }
body { font-family: 'DejaVu Sans', 'Liberation Sans', Helvetica, Arial, sans-serif; margin: 0; color: #222; background: #fafafa; }
header { background: #1f3b57; color: #fff; padding: 18px 32px; }
header h1 { margin: 0; font-size: 22px; }
header p { margin: 4px 0 0; opacity: .85; }
main { padding: 16px 32px 48px; max-width: 1800px; }
section { margin: 0 0 28px; }
h2 { font-size: 17px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
figure { margin: 0 0 24px; background: #fff; border: 1px solid #e3e3e3; border-radius: 4px; padding: 12px; overflow-x: auto; }
figure svg { display: block; max-width: none; height: auto; }
figcaption { font-size: 13px; color: #555; margin-top: 6px; }
table { border-collapse: collapse; font-size: 13px; background: #fff; }
th, td { border: 1px solid #ddd; padding: 4px 10px; text-align: left; }
td:nth-child(n+2) { font-variant-numeric: tabular-nums; }
th { background: #f0f3f6; }
.grid { display: flex; flex-wrap: wrap; gap: 24px; align-items: flex-start; }
pre { background: #fff; border: 1px solid #e3e3e3; padding: 10px; font-size: 12px; overflow-x: auto; max-height: 480px; }
nav a { margin-right: 14px; color: #1f3b57; }
.notes li { color: #7a4b00; }
`;

/** The complete HTML document. */
export function renderReportHtml(content: ReportContent): string {
  const figures = content.figures
    .map(
      (f, i) => `<figure id="fig-${escapeHtml(f.name)}" data-figure="${escapeHtml(f.name)}">
${scopeSvgIds(f.svg, `f${i}`)}
<figcaption><b>${escapeHtml(f.title)}</b>${f.caption ? ` — ${escapeHtml(f.caption)}` : ''}</figcaption>
</figure>`,
    )
    .join('\n');
  const nav = [
    ['metrics', 'Metrics'],
    ['figures', 'Figures'],
    ...(content.config !== undefined ? [['config', 'Config']] : []),
    ['environment', 'Environment'],
  ]
    .map(([id, label]) => `<a href="#${id}">${label}</a>`)
    .join('');
  const notes = content.notes?.length
    ? `<ul class="notes">${content.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>`
    : '';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="pinnate report">
<title>${escapeHtml(content.title)}</title>
<style>${CSS}</style>
</head>
<body>
<header><h1>${escapeHtml(content.title)}</h1>${content.subtitle ? `<p>${escapeHtml(content.subtitle)}</p>` : ''}</header>
<main>
<nav>${nav}</nav>
<section id="metrics"><h2>Metrics</h2>
<div class="grid">${content.metrics.length ? table(['metric', 'value'], content.metrics, 'metrics') : '<p>No metrics recorded.</p>'}
${content.arrays?.length ? table(['array', 'shape', 'dtype'], content.arrays, 'arrays') : ''}</div>
${notes}
</section>
<section id="figures"><h2>Figures</h2>
${figures || '<p>No figures: the run directory holds no loss history or arrays to plot.</p>'}
</section>
${
  content.config !== undefined
    ? `<section id="config"><h2>Config</h2><pre>${escapeHtml(JSON.stringify(content.config, null, 2))}</pre></section>`
    : ''
}
<section id="environment"><h2>Environment</h2>
${table(['item', 'value'], content.environment, 'environment')}
</section>
</main>
</body>
</html>
`;
}
