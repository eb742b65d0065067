import { formatTable } from '../util/text-table.js';
import type { RunSummary } from './types.js';

function percent(value: number | null): string {
  return value === null ? '-' : `${(value * 100).toFixed(2)}%`;
}

function fixed(value: number | null | undefined): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '-' : value.toFixed(4);
}

function duration(seconds: number | null): string {
  if (seconds === null) return '-';
  return seconds < 60 ? `${seconds.toFixed(1)}s` : `${Math.floor(seconds / 60)}m${Math.round(seconds % 60)}s`;
}

/** The runs as a text table: status, model, epochs, last loss, best validation and test accuracy, time, creation. */
export function formatRunsTable(runs: readonly RunSummary[]): string {
  const header = ['run', 'status', 'model', 'epochs', 'loss', 'best val acc', 'test acc', 'time', 'created'];
  const rows = runs.map((r) => [
    r.kind === 'search' ? `${r.name} (search, ${r.trials} trial${r.trials === 1 ? '' : 's'})` : r.name,
    r.status,
    r.model ?? '-',
    String(r.epochsCompleted),
    fixed(r.lastEpoch?.loss),
    percent(r.bestValAccuracy),
    percent(r.testAccuracy),
    duration(r.durationSeconds),
    r.createdAt ? r.createdAt.replace('T', ' ').slice(0, 19) : '-',
  ]);
  return formatTable([header, ...rows]);
}
