import type { EpochRecord } from './types.js';

/** The columns every `history.csv` starts with, in this order; other metrics follow in order of appearance. */
export const HISTORY_COLUMNS = ['epoch', 'loss', 'accuracy', 'val_loss', 'val_accuracy', 'lr'] as const;

export function historyColumns(history: readonly EpochRecord[]): string[] {
  const columns: string[] = [...HISTORY_COLUMNS];
  for (const row of history)
    for (const key of Object.keys(row)) if (!columns.includes(key)) columns.push(key);
  return columns;
}

/** `history.csv` text: one row per epoch, full float precision, an empty cell where a metric is absent. */
export function formatHistoryCsv(history: readonly EpochRecord[], separator = ','): string {
  const columns = historyColumns(history);
  const lines = [columns.join(separator)];
  for (const row of history) {
    lines.push(columns.map((c) => (row[c] === undefined ? '' : String(row[c]))).join(separator));
  }
  return lines.join('\n') + '\n';
}

/**
 * Parses `history.csv` (header `epoch,loss,…`, one row per epoch). Empty cells and non-numbers become NaN;
 * a trailing partial line (a writer caught mid-write outside the atomic rename) is dropped.
 */
export function parseHistoryCsv(text: string): EpochRecord[] {
  const lines = text.split(/\r?\n/);
  const header = (lines.shift() ?? '').split(',').map((h) => h.trim());
  if (header[0] !== 'epoch') return [];
  const rows: EpochRecord[] = [];
  for (const line of lines) {
    if (line.trim() === '') continue;
    const cells = line.split(',');
    if (cells.length !== header.length) continue;
    const row: Record<string, number> = {};
    header.forEach((name, i) => {
      const cell = cells[i].trim();
      row[name] = cell === '' ? Number.NaN : Number(cell);
    });
    if (!Number.isInteger(row.epoch)) continue;
    rows.push(row as EpochRecord);
  }
  return rows;
}
