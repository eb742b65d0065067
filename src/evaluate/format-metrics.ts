import { printable } from '../util/printable.js';
import type { EvaluationMetrics } from './types.js';

function f(value: number | null): string {
  return value === null ? 'n/a' : value.toFixed(4);
}

function thresholdLines(m: EvaluationMetrics): string[] {
  if (!m.thresholds) return [];
  const { bestF1, youden, positiveClass, chosenOn } = m.thresholds;
  const on = chosenOn
    ? `, chosen on ${chosenOn.replace(/^split:/, 'the ')}${chosenOn.startsWith('split:') ? ' split' : ''}`
    : '';
  const lines = ['', `thresholds on p(${positiveClass})${on}:`];
  if (bestF1)
    lines.push(
      `  best F1      ${bestF1.threshold.toFixed(4)} (F1 ${bestF1.f1.toFixed(4)}, precision ${bestF1.precision.toFixed(4)}, recall ${bestF1.recall.toFixed(4)})`,
    );
  if (youden)
    lines.push(
      `  Youden's J   ${youden.threshold.toFixed(4)} (J ${youden.j.toFixed(4)}, TPR ${youden.tpr.toFixed(4)}, FPR ${youden.fpr.toFixed(4)})`,
    );
  return lines;
}

/**
 * The evaluation as text: counts, headline metrics, scikit-learn's classification report, the
 * confusion matrix and (two classes) the decision thresholds. `source` says what was evaluated.
 */
export function formatMetrics(m: EvaluationMetrics, source: string, skipped = 0): string {
  const lines = [
    `evaluated ${m.numExamples} images (${printable(source)})${skipped ? `, ${skipped} unreadable skipped` : ''}`,
    `accuracy ${f(m.accuracy)}  log loss ${f(m.logLoss)}  ROC-AUC ${f(m.rocAuc)}  PR-AUC ${f(m.prAuc)}`,
  ];
  const width = Math.max(12, ...m.classNames.map((c) => c.length));
  lines.push('', `${'class'.padEnd(width)}  precision  recall     f1  support`);
  const line = (name: string, p: number, r: number, f1: number, support: number) =>
    lines.push(
      `${name.padEnd(width)}  ${p.toFixed(4).padStart(9)}  ${r.toFixed(4).padStart(6)}  ${f1.toFixed(4).padStart(5)}  ${String(support).padStart(7)}`,
    );
  for (const c of m.perClass) line(c.className, c.precision, c.recall, c.f1, c.support);
  line('macro avg', m.macro.precision, m.macro.recall, m.macro.f1, m.numExamples);
  line('weighted avg', m.weighted.precision, m.weighted.recall, m.weighted.f1, m.numExamples);
  lines.push('', 'confusion matrix (rows: true, columns: predicted)');
  const cell =
    Math.min(
      12,
      Math.max(
        5,
        ...m.classNames.map((c) => c.length),
        ...m.confusionMatrix.flat().map((v) => String(v).length),
      ),
    ) + 2;
  lines.push(`${''.padEnd(width)}  ${m.classNames.map((c) => c.slice(0, cell - 2).padStart(cell)).join('')}`);
  m.confusionMatrix.forEach((row, i) =>
    lines.push(`${m.classNames[i].padEnd(width)}  ${row.map((v) => String(v).padStart(cell)).join('')}`),
  );
  lines.push(...thresholdLines(m));
  return lines.join('\n');
}
