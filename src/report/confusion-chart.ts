import type { ChartSpec } from './chart.js';

/** Heatmap of a confusion matrix (rows: true class, columns: predicted), coloured by the row fraction, counts printed. */
export function confusionSpec(
  matrix: readonly (readonly number[])[],
  classNames: readonly string[],
): ChartSpec {
  const values: Array<{ actual: string; predicted: string; count: number; fraction: number }> = [];
  matrix.forEach((row, t) => {
    const total = row.reduce((a, b) => a + b, 0);
    row.forEach((count, p) => {
      values.push({
        actual: classNames[t],
        predicted: classNames[p],
        count,
        fraction: total === 0 ? 0 : count / total,
      });
    });
  });
  const cell = Math.max(28, Math.min(70, Math.floor(420 / Math.max(1, classNames.length))));
  const side = cell * classNames.length;
  const order = [...classNames];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'Confusion matrix',
    width: side,
    height: side,
    data: { values },
    encoding: {
      x: {
        field: 'predicted',
        type: 'nominal',
        sort: order,
        title: 'predicted class',
        axis: { labelAngle: -40 },
      },
      y: { field: 'actual', type: 'nominal', sort: order, title: 'true class' },
    },
    layer: [
      {
        mark: 'rect',
        encoding: {
          color: {
            field: 'fraction',
            type: 'quantitative',
            title: 'row share',
            scale: { scheme: 'blues', domain: [0, 1] },
            legend: { format: '.0%' },
          },
          tooltip: [{ field: 'actual' }, { field: 'predicted' }, { field: 'count' }],
        },
      },
      {
        mark: { type: 'text', fontSize: cell >= 40 ? 12 : 9 },
        encoding: {
          text: { field: 'count', type: 'quantitative' },
          color: { condition: { test: 'datum.fraction > 0.55', value: 'white' }, value: 'black' },
        },
      },
    ],
  } as ChartSpec;
}
