import { overlaidCurvesSpec } from '../report/compare.js';
import { curvesSpec } from '../report/curves.js';
import { CHART_FONT, type ChartSpec } from '../report/chart.js';
import type { EpochRecord } from '../train/types.js';

/** The look of the report's charts (fonts, sizes, white background), so live charts match the saved ones. */
const CHART_CONFIG = {
  font: CHART_FONT,
  background: 'white',
  view: { stroke: '#ddd' },
  axis: { labelFontSize: 11, titleFontSize: 12 },
  legend: { labelFontSize: 11, titleFontSize: 12 },
  title: { fontSize: 14 },
};

function withConfig(spec: ChartSpec): ChartSpec {
  return { ...spec, config: { ...CHART_CONFIG, ...(spec.config ?? {}) } } as ChartSpec;
}

/** A run's training curves: the report's own spec. */
export function runCurvesSpec(history: readonly EpochRecord[], restoredEpoch?: number): ChartSpec {
  return withConfig(curvesSpec(history, restoredEpoch === undefined ? {} : { restoredEpoch }));
}

/** Several runs' loss and accuracy on shared axes: the comparison report's own spec. */
export function compareCurvesSpec(
  runs: ReadonlyArray<{ name: string; history: readonly EpochRecord[] }>,
): ChartSpec {
  return withConfig(overlaidCurvesSpec(runs.map((r) => ({ name: r.name, history: [...r.history] }))));
}
