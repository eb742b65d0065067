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

export interface CompareSeries {
  run: string;
  history: readonly EpochRecord[];
}

function comparePanel(runs: CompareSeries[], metric: string, title: string): object | null {
  const values: Array<{ run: string; epoch: number; value: number; split: string }> = [];
  for (const { run, history } of runs) {
    for (const row of history) {
      for (const [key, split] of [
        [metric, 'train'],
        [`val_${metric}`, 'validation'],
      ]) {
        const value = row[key];
        if (typeof value === 'number' && Number.isFinite(value))
          values.push({ run, epoch: row.epoch, value, split });
      }
    }
  }
  if (values.length === 0) return null;
  return {
    title,
    width: 340,
    height: 220,
    data: { values },
    mark: { type: 'line', point: values.length <= 200 },
    encoding: {
      x: { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { format: 'd', tickMinStep: 1 } },
      y: { field: 'value', type: 'quantitative', title: metric, scale: { zero: false } },
      color: {
        field: 'run',
        type: 'nominal',
        title: 'run',
        sort: runs.map((r) => r.run),
        scale: { scheme: 'category10' },
        legend: { symbolType: 'stroke', symbolStrokeWidth: 3 },
      },
      strokeDash: {
        field: 'split',
        type: 'nominal',
        title: null,
        scale: {
          domain: ['train', 'validation'],
          range: [
            [1, 0],
            [6, 3],
          ],
        },
        legend: { symbolType: 'stroke', symbolStrokeColor: '#555', symbolStrokeWidth: 2 },
      },
      tooltip: [{ field: 'run' }, { field: 'split' }, { field: 'epoch' }, { field: 'value', format: '.4f' }],
    },
  };
}

/** Loss and accuracy of several runs on shared axes: colour is the run, dashes are validation. */
export function compareCurvesSpec(runs: CompareSeries[]): ChartSpec {
  const panels = [comparePanel(runs, 'loss', 'Loss'), comparePanel(runs, 'accuracy', 'Accuracy')].filter(
    (p): p is object => p !== null,
  );
  return withConfig({
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    hconcat: panels,
    resolve: { scale: { color: 'shared', strokeDash: 'shared', y: 'independent' } },
  } as ChartSpec);
}
