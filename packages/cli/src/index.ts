/** @pinnate/cli as a library: the commands behind `pinnate`, config validation, PNG rendering. */
export {
  type PredictOptions,
  predict,
  predictPoints,
  type ReportOptions,
  type ResumeOptions,
  report,
  resume,
  type TrainOptions,
  type TrainOutcome,
  train,
} from './commands.ts';
export { ConfigError, parseRunConfig, RunConfig, readRunConfig, termNames } from './config.ts';
export { type RunIo, run } from './main.ts';
export { type PngOptions, svgToPng } from './png.ts';
export { gridPoints, makeProblem, type Problem } from './problems.ts';
