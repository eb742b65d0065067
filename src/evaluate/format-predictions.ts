import { formatCsvLine } from '../data/csv.js';
import type { ImagePrediction } from './predict-images.js';
import { printable } from '../util/printable.js';

/** Predictions as CSV with a header `file,predicted,confidence,<class…>,error`, one row per image. */
export function predictionsCsv(rows: readonly ImagePrediction[], classNames: readonly string[]): string {
  const lines = [formatCsvLine(['file', 'predicted', 'confidence', ...classNames, 'error'])];
  for (const r of rows) {
    lines.push(
      formatCsvLine([
        r.source,
        r.predicted ?? '',
        r.confidence?.toString() ?? '',
        ...classNames.map((c) => r.probabilities?.[c]?.toString() ?? ''),
        r.error ?? '',
      ]),
    );
  }
  return `${lines.join('\n')}\n`;
}

/** Predictions as aligned text: the file, then its class and confidence and every class probability, or its error. */
export function formatPredictions(rows: readonly ImagePrediction[], classNames: readonly string[]): string {
  const width = Math.min(60, Math.max(...rows.map((r) => printable(r.source).length)));
  return rows
    .map((r) => {
      const detail = r.error
        ? `error: ${printable(r.error)}`
        : `${r.predicted} ${r.confidence!.toFixed(4)}  (${classNames.map((c) => `${c} ${r.probabilities![c].toFixed(4)}`).join(', ')})`;
      return `${printable(r.source).padEnd(width)}  ${detail}`;
    })
    .join('\n');
}
