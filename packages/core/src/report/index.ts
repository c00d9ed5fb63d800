export {
  type BuildReportOptions,
  type BuiltReport,
  buildReport,
  type FigurePlan,
  planReport,
  type ReportPlan,
  type RunData,
  readRunData,
} from './build.ts';
export { escapeHtml, type ReportContent, type ReportFigure, renderReportHtml, scopeSvgIds } from './html.ts';
export {
  type MetricsRecord,
  RUN_LAYOUT,
  RunDirectory,
  type RunInfo,
  type RunStatus,
} from './run_directory.ts';
