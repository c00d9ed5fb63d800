export { colormap, encodePng, fieldToPngDataUri, type RasterOptions } from './raster.ts';
export { compileSpec, PLOT_VERSIONS, renderSvg, type TopLevelSpec } from './render.ts';
export {
  type Axis,
  type CollocationPointsOptions,
  collocationPoints,
  type FieldHeatmapsOptions,
  fieldHeatmaps,
  type LineSlicesOptions,
  type LossCurvesOptions,
  lineSlices,
  lossCurves,
  type OperatorResultsOptions,
  type OperatorSample,
  operatorResults,
  type ParameterTrajectoriesOptions,
  PLOT_CONFIG,
  type PointSet,
  parameterTrajectories,
  type Slice,
  sliceField,
  thinIndices,
} from './specs.ts';
