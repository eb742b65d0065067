import type { LrFindResult } from '../tune/lr-find.js';
import { writeChart, type ChartSpec } from './chart.js';

/** fastai's plot: loss (raw and smoothed) against learning rate on a log axis, with the suggestion marked. */
export function lrFindChartSpec(result: LrFindResult, title = 'Learning-rate finder'): ChartSpec {
  const values = result.points.flatMap((p) => [
    { learningRate: p.learningRate, loss: p.loss, series: 'batch loss' },
    { learningRate: p.learningRate, loss: p.smoothedLoss, series: 'smoothed loss' },
  ]);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: { text: title, subtitle: `suggestion ${result.suggestion.toPrecision(3)} (${result.rule})` },
    width: 520,
    height: 300,
    layer: [
      {
        data: { values },
        mark: { type: 'line' },
        encoding: {
          x: { field: 'learningRate', type: 'quantitative', scale: { type: 'log' }, title: 'learning rate' },
          y: { field: 'loss', type: 'quantitative', scale: { zero: false }, title: 'training loss' },
          color: { field: 'series', type: 'nominal', title: null },
          opacity: { condition: { test: "datum.series === 'batch loss'", value: 0.35 }, value: 1 },
        },
      },
      {
        data: { values: [{ learningRate: result.suggestion }] },
        mark: { type: 'rule', color: '#d62728', strokeDash: [4, 3] },
        encoding: { x: { field: 'learningRate', type: 'quantitative' } },
      },
    ],
  } as ChartSpec;
}

/** Writes `<base>.svg` and `<base>.png` of the learning-rate finder's curve. */
export async function writeLrFindChart(base: string, result: LrFindResult): Promise<void> {
  await writeChart(base, lrFindChartSpec(result));
}
