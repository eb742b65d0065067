import { VisionlabError } from '../errors.js';
import {
  accuracyFromMatrix,
  macroAverage,
  precisionRecallF1,
  weightedAverage,
} from './classification-report.js';
import { argmax, confusionMatrix } from './confusion-matrix.js';
import { logLoss } from './log-loss.js';
import { averagePrecision, precisionRecallCurve, rocAuc, rocCurve, thinCurve } from './ranking.js';
import { bestF1Threshold, youdenThreshold } from './thresholds.js';
import type { AveragedMetrics, ClassCurves, ClassMetrics, EvaluationMetrics } from './types.js';

function meanOfDefined(values: readonly (number | null)[], weights?: readonly number[]): number | null {
  let sum = 0;
  let total = 0;
  values.forEach((v, i) => {
    if (v === null) return;
    const w = weights ? weights[i] : 1;
    sum += v * w;
    total += w;
  });
  return total === 0 ? null : sum / total;
}

/**
 * Every test metric from true class indices and per-class probabilities (one row per example,
 * one column per class; a binary model's sigmoid output p becomes the row [1 − p, p]).
 */
export function computeMetrics(
  labels: ArrayLike<number>,
  probabilities: readonly ArrayLike<number>[],
  classNames: readonly string[],
): EvaluationMetrics {
  const k = classNames.length;
  if (labels.length !== probabilities.length) {
    throw new VisionlabError(
      `computeMetrics: ${labels.length} labels but ${probabilities.length} probability rows.`,
    );
  }
  probabilities.forEach((row, i) => {
    if (row.length !== k) {
      throw new VisionlabError(
        `computeMetrics: row ${i} has ${row.length} probabilities for ${k} classes (${classNames.join(', ')}).`,
      );
    }
  });
  const predicted = Array.from(probabilities, (row) => argmax(row));
  const matrix = confusionMatrix(labels, predicted, k);
  const prf = precisionRecallF1(matrix);

  const curves: ClassCurves[] = [];
  const perClass: ClassMetrics[] = classNames.map((className, c) => {
    const scores = Array.from(probabilities, (row) => row[c]);
    const positive = Array.from(labels, (l) => l === c);
    if (k > 2 || c === 1)
      curves.push({
        className,
        roc: thinCurve(rocCurve(scores, positive)),
        pr: thinCurve(precisionRecallCurve(scores, positive)),
      });
    return {
      className,
      precision: prf.precision[c],
      recall: prf.recall[c],
      f1: prf.f1[c],
      support: prf.support[c],
      rocAuc: rocAuc(scores, positive),
      prAuc: averagePrecision(scores, positive),
    };
  });

  const rocs = perClass.map((m) => m.rocAuc);
  const aps = perClass.map((m) => m.prAuc);
  const macro: AveragedMetrics = {
    precision: macroAverage(prf.precision),
    recall: macroAverage(prf.recall),
    f1: macroAverage(prf.f1),
    rocAuc: meanOfDefined(rocs),
    prAuc: meanOfDefined(aps),
  };
  const weighted: AveragedMetrics = {
    precision: weightedAverage(prf.precision, prf.support),
    recall: weightedAverage(prf.recall, prf.support),
    f1: weightedAverage(prf.f1, prf.support),
    rocAuc: meanOfDefined(rocs, prf.support),
    prAuc: meanOfDefined(aps, prf.support),
  };

  const metrics: EvaluationMetrics = {
    classNames: [...classNames],
    numExamples: labels.length,
    accuracy: accuracyFromMatrix(matrix),
    logLoss: logLoss(labels, probabilities),
    rocAuc: k === 2 ? perClass[1].rocAuc : macro.rocAuc,
    prAuc: k === 2 ? perClass[1].prAuc : macro.prAuc,
    perClass,
    macro,
    weighted,
    confusionMatrix: matrix,
    curves,
  };
  if (k === 2) {
    const scores = Array.from(probabilities, (row) => row[1]);
    const positive = Array.from(labels, (l) => l === 1);
    metrics.thresholds = {
      positiveClass: classNames[1],
      bestF1: bestF1Threshold(scores, positive),
      youden: youdenThreshold(scores, positive),
    };
  }
  return metrics;
}
