import path from 'node:path';
import type { Predictions } from '../evaluate/evaluate.js';
import type { EvaluationMetrics } from '../evaluate/types.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { writeChart } from './chart.js';
import { confusionSpec } from './confusion-chart.js';
import { misclassifiedExamples, misclassifiedGrid } from './misclassified-grid.js';
import { prSpec, rocSpec } from './roc-pr-charts.js';

/** The chart files evaluation writes into a run folder. */
export const EVALUATION_CHART_FILES = [
  'confusion.svg',
  'confusion.png',
  'roc.svg',
  'roc.png',
  'pr.svg',
  'pr.png',
  'misclassified.png',
] as const;

/** Writes the confusion heatmap, ROC and PR curves (SVG + PNG) and, given the predictions, the misclassified-images grid. */
export async function writeEvaluationCharts(
  dir: string,
  metrics: EvaluationMetrics,
  predictions?: Predictions,
): Promise<void> {
  const auc = new Map(metrics.perClass.map((c) => [c.className, c.rocAuc]));
  const ap = new Map(metrics.perClass.map((c) => [c.className, c.prAuc]));
  const prevalence = new Map(
    metrics.perClass.map((c) => [
      c.className,
      metrics.numExamples === 0 ? 0 : c.support / metrics.numExamples,
    ]),
  );
  await writeChart(path.join(dir, 'confusion'), confusionSpec(metrics.confusionMatrix, metrics.classNames));
  await writeChart(path.join(dir, 'roc'), rocSpec(metrics.curves, auc, metrics.macro.rocAuc));
  await writeChart(path.join(dir, 'pr'), prSpec(metrics.curves, ap, prevalence, metrics.macro.prAuc));
  if (predictions) {
    const grid = await misclassifiedGrid(
      misclassifiedExamples(predictions, metrics.classNames),
      predictions.labels.length,
    );
    await writeFileAtomic(path.join(dir, 'misclassified.png'), grid);
  }
}
