import { thinCurve as thin } from '../evaluate/ranking.js';
import type { ClassCurves, CurvePoint } from '../evaluate/types.js';
import type { ChartSpec } from './chart.js';

function fmt(value: number | null | undefined): string {
  return value === null || value === undefined ? 'n/a' : value.toFixed(3);
}

function curveSpec(
  title: string,
  axes: { x: string; y: string },
  series: Array<{ label: string; points: CurvePoint[] }>,
  reference: Array<{ x: number; y: number }>,
  interpolate: string,
): ChartSpec {
  const values = series.flatMap((s) =>
    s.points.map((p, order) => ({ series: s.label, x: p.x, y: p.y, order })),
  );
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: 320,
    height: 320,
    layer: [
      {
        data: { values: reference },
        mark: { type: 'line', color: '#999999', strokeDash: [4, 4] },
        encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } },
      },
      {
        data: { values },
        mark: { type: 'line', interpolate, strokeWidth: 2 },
        encoding: {
          x: { field: 'x', type: 'quantitative', title: axes.x, scale: { domain: [0, 1] } },
          y: { field: 'y', type: 'quantitative', title: axes.y, scale: { domain: [0, 1] } },
          order: { field: 'order', type: 'quantitative' },
          color: {
            field: 'series',
            type: 'nominal',
            title: null,
            sort: series.map((s) => s.label),
            legend: { orient: series.length > 1 ? 'right' : 'bottom-right', labelLimit: 260 },
          },
        },
      },
    ],
  } as ChartSpec;
}

/** ROC curves, one per class one-vs-rest (the positive class for binary tasks), AUC in the legend. */
export function rocSpec(
  curves: readonly ClassCurves[],
  aucByClass: ReadonlyMap<string, number | null>,
  macroAuc?: number | null,
): ChartSpec {
  return curveSpec(
    curves.length > 1 ? `ROC curves, one-vs-rest (macro AUC ${fmt(macroAuc)})` : 'ROC curve',
    { x: 'false positive rate', y: 'true positive rate' },
    curves.map((c) => ({
      label: `${c.className} (AUC ${fmt(aucByClass.get(c.className))})`,
      points: thin(c.roc),
    })),
    [
      { x: 0, y: 0 },
      { x: 1, y: 1 },
    ],
    'linear',
  );
}

/** Precision–recall curves drawn as steps (the area under them is the average precision). */
export function prSpec(
  curves: readonly ClassCurves[],
  apByClass: ReadonlyMap<string, number | null>,
  prevalence: ReadonlyMap<string, number>,
  macroAp?: number | null,
): ChartSpec {
  const base = curves.length === 1 ? (prevalence.get(curves[0].className) ?? 0) : 0;
  return curveSpec(
    curves.length > 1 ? `Precision–recall, one-vs-rest (macro AP ${fmt(macroAp)})` : 'Precision–recall curve',
    { x: 'recall', y: 'precision' },
    curves.map((c) => ({
      label: `${c.className} (AP ${fmt(apByClass.get(c.className))})`,
      points: thin([{ threshold: Number.POSITIVE_INFINITY, x: 0, y: 1 }, ...c.pr]),
    })),
    curves.length === 1
      ? [
          { x: 0, y: base },
          { x: 1, y: base },
        ]
      : [],
    'step-before',
  );
}
