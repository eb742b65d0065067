import type { FreezeSearchResult } from '../tune/freeze-search.js';
import { writeChart, type ChartSpec } from './chart.js';

/** Validation loss and accuracy, trainable parameters and seconds per epoch against the frozen depth. */
export function freezeSearchChartSpec(result: FreezeSearchResult): ChartSpec {
  const values = result.candidates.map((r) => ({ ...r, best: r === result.best }));
  const panel = (field: string, title: string) => ({
    width: 260,
    height: 180,
    layer: [
      {
        mark: { type: 'line', point: true },
        encoding: {
          x: { field: 'frozenLayers', type: 'quantitative', title: 'frozen layers (from the input)' },
          y: { field, type: 'quantitative', title, scale: { zero: false } },
        },
      },
      {
        mark: { type: 'text', dy: -9, fontSize: 10 },
        encoding: {
          x: { field: 'frozenLayers', type: 'quantitative' },
          y: { field, type: 'quantitative' },
          text: { field: 'freeze' },
          color: { condition: { test: 'datum.best', value: '#d62728' }, value: '#555' },
        },
      },
    ],
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: { text: `Freeze-point search: ${result.name}`, subtitle: `best: ${result.best.freeze}` },
    data: { values },
    columns: 2,
    concat: [
      panel('valLoss', 'validation loss'),
      panel('valAccuracy', 'validation accuracy'),
      panel('trainableParams', 'trainable parameters'),
      panel('secondsPerEpoch', 'seconds per epoch'),
    ],
  } as ChartSpec;
}

/** Writes `<base>.svg` and `<base>.png`. */
export async function writeFreezeSearchChart(base: string, result: FreezeSearchResult): Promise<void> {
  await writeChart(base, freezeSearchChartSpec(result));
}
