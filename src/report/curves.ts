import path from 'node:path';
import type { EpochRecord } from '../train/types.js';
import { writeChart, type ChartSpec } from './chart.js';

export interface CurvesOptions {
  /** The epoch whose weights EarlyStopping restored; drawn as a dashed rule on every panel. */
  restoredEpoch?: number;
}

interface Point {
  epoch: number;
  value: number;
  series: string;
}

const GREY = '#555555';
const SERIES_COLORS = { domain: ['train', 'validation'], range: ['#1f77b4', '#ff7f0e'] };

function points(history: readonly EpochRecord[], key: string, series: string): Point[] {
  const out: Point[] = [];
  for (const row of history) {
    const value = row[key];
    if (typeof value === 'number' && Number.isFinite(value)) out.push({ epoch: row.epoch, value, series });
  }
  return out;
}

function ruleLayer(restoredEpoch: number | undefined): object[] {
  if (restoredEpoch === undefined) return [];
  return [
    {
      data: { values: [{ epoch: restoredEpoch, label: `restored: epoch ${restoredEpoch}` }] },
      layer: [
        {
          mark: { type: 'rule', color: '#2ca02c', strokeDash: [6, 4], strokeWidth: 1.5 },
          encoding: { x: { field: 'epoch', type: 'quantitative' } },
        },
        {
          mark: { type: 'text', color: '#2ca02c', align: 'left', dx: 4, baseline: 'top', y: 2, fontSize: 10 },
          encoding: { x: { field: 'epoch', type: 'quantitative' }, text: { field: 'label' } },
        },
      ],
    },
  ];
}

function epochAxis(maxEpoch: number): object {
  return {
    field: 'epoch',
    type: 'quantitative',
    title: 'epoch',
    scale: { domain: [1, Math.max(2, maxEpoch)], nice: false },
    axis: { format: 'd', tickMinStep: 1 },
  };
}

interface PanelOptions {
  title: string;
  yTitle: string;
  maxEpoch: number;
  restoredEpoch: number | undefined;
  /** One unlabelled series drawn in grey (the learning rate) instead of train vs validation. */
  single?: boolean;
  logScale?: boolean;
}

function metricPanel(data: Point[], o: PanelOptions): object {
  const y = {
    field: 'value',
    type: 'quantitative',
    title: o.yTitle,
    scale: o.logScale ? { type: 'log' } : { zero: false },
    axis: o.logScale ? { format: '.0e', tickCount: 4 } : o.single ? { format: '~g' } : {},
  };
  const encoding = o.single
    ? { x: epochAxis(o.maxEpoch), y }
    : {
        x: epochAxis(o.maxEpoch),
        y,
        color: { field: 'series', type: 'nominal', title: null, scale: SERIES_COLORS },
      };
  return {
    title: o.title,
    width: 260,
    height: 180,
    layer: [
      {
        data: { values: data },
        mark: o.single
          ? { type: 'line', color: GREY, point: data.length <= 60 ? { color: GREY } : false }
          : { type: 'line', point: data.length <= 60 },
        encoding,
      },
      ...ruleLayer(o.restoredEpoch),
    ],
  };
}

/** The Vega-Lite spec of the training curves: loss, accuracy (train vs validation) and learning rate per epoch. */
export function curvesSpec(history: readonly EpochRecord[], options: CurvesOptions = {}): ChartSpec {
  const maxEpoch = history.reduce((m, r) => Math.max(m, r.epoch), 1);
  const restored = options.restoredEpoch;
  const panels: object[] = [];
  const loss = [...points(history, 'loss', 'train'), ...points(history, 'val_loss', 'validation')];
  panels.push(metricPanel(loss, { title: 'Loss', yTitle: 'loss', maxEpoch, restoredEpoch: restored }));
  const accuracy = [
    ...points(history, 'accuracy', 'train'),
    ...points(history, 'val_accuracy', 'validation'),
  ];
  if (accuracy.length > 0) {
    panels.push(
      metricPanel(accuracy, { title: 'Accuracy', yTitle: 'accuracy', maxEpoch, restoredEpoch: restored }),
    );
  }
  const lr = points(history, 'lr', 'train');
  if (lr.length > 0) {
    const values = lr.map((p) => p.value);
    const min = Math.min(...values);
    const max = Math.max(...values);
    const logScale = min > 0 && max / min >= 10;
    panels.push(
      metricPanel(lr, {
        title: 'Learning rate',
        yTitle: 'learning rate',
        maxEpoch,
        restoredEpoch: restored,
        single: true,
        logScale,
      }),
    );
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    hconcat: panels,
    resolve: { scale: { color: 'shared', y: 'independent' } },
  } as ChartSpec;
}

/** Writes `curves.svg` and `curves.png` into the run folder (each atomically). */
export async function writeCurves(
  runDir: string,
  history: EpochRecord[],
  options: CurvesOptions = {},
): Promise<void> {
  await writeChart(path.join(runDir, 'curves'), curvesSpec(history, options));
}
