export { renderSvg, svgToPng, writeChart, type ChartSpec } from './chart.js';
export { writeCurves, curvesSpec, type CurvesOptions } from './curves.js';
export { confusionSpec } from './confusion-chart.js';
export { rocSpec, prSpec } from './roc-pr-charts.js';
export {
  misclassifiedGrid,
  misclassifiedExamples,
  type MisclassifiedExample,
  type GridOptions,
} from './misclassified-grid.js';
export { writeEvaluationCharts, EVALUATION_CHART_FILES } from './evaluation-charts.js';
export { evaluateRun, type EvaluateRunOptions, type RunEvaluation } from './evaluate-run.js';
export { writeReport, buildReportHtml, type ReportOptions } from './html-report.js';
export { resolveRunDir } from '../train/run-folder.js';
export { explainImage, type ExplainOptions, type Explanation } from './explain.js';
export { gradCamOverlay, type OverlayOptions } from './grad-cam-overlay.js';
export { jet } from './colormap.js';
export {
  collectRuns,
  buildCompareHtml,
  overlaidCurvesSpec,
  COMPARISON_ROWS,
  type RunComparison,
} from './compare.js';
export { countSavedParams } from './param-count.js';
export { writeOutputFile } from './output-file.js';
export { lrFindChartSpec, writeLrFindChart } from './lr-find-chart.js';
export { freezeSearchChartSpec, writeFreezeSearchChart } from './freeze-search-chart.js';
export {
  predictRun,
  INFERENCE_ENGINES,
  type InferenceEngine,
  type PredictRunOptions,
  type RunPredictions,
} from './predict-run.js';
export { finishRun } from './finish-run.js';
export { rewriteReport } from './rewrite-report.js';
export { formatComparison } from './format-comparison.js';
