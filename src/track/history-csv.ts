import type { EpochRecord } from '../train/types.js';

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
