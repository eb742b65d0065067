import { overlaidCurvesSpec } from '../report/compare.js';
import { curvesSpec } from '../report/curves.js';
import { withChartConfig, type ChartSpec } from '../report/chart.js';
import type { EpochRecord } from '../train/types.js';

/** A run's training curves: the report's own spec. */
export function runCurvesSpec(history: readonly EpochRecord[], restoredEpoch?: number): ChartSpec {
  return withChartConfig(curvesSpec(history, restoredEpoch === undefined ? {} : { restoredEpoch }));
}

/** Several runs' loss and accuracy on shared axes: the comparison report's own spec. */
export function compareCurvesSpec(
  runs: ReadonlyArray<{ name: string; history: readonly EpochRecord[] }>,
): ChartSpec {
  return withChartConfig(overlaidCurvesSpec(runs.map((r) => ({ name: r.name, history: [...r.history] }))));
}
