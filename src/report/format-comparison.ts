import { COMPARISON_ROWS, type RunComparison } from './compare.js';

function text(value: number | string | null, digits = 4): string {
  if (value === null) return '–';
  if (typeof value === 'string') return value;
  return Number.isInteger(value) ? String(value) : value.toFixed(digits);
}

/** The comparison as text: one column per run, one line per row of {@link COMPARISON_ROWS}. */
export function formatComparison(runs: readonly RunComparison[]): string {
  const width = Math.max(...COMPARISON_ROWS.map((r) => r.label.length));
  const columns = runs.map((r) => Math.max(12, r.name.length));
  const lines = [`${''.padEnd(width)}  ${runs.map((r, i) => r.name.padStart(columns[i])).join('  ')}`];
  for (const row of COMPARISON_ROWS) {
    lines.push(
      `${row.label.padEnd(width)}  ${runs.map((r, i) => text(row.value(r), row.digits).padStart(columns[i])).join('  ')}`,
    );
  }
  return lines.join('\n');
}
