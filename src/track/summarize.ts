import type { EpochRecord } from '../train/types.js';
import type { RunFolderContents } from './read-run-folder.js';
import type { IndexedStatus, RunSummary } from './types.js';

const STATUSES = new Set(['running', 'finished', 'stopped', 'failed']);

function str(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function best(history: EpochRecord[], key: string, pick: (a: number, b: number) => number): number | null {
  let result: number | null = null;
  for (const row of history) {
    const value = row[key];
    if (!Number.isFinite(value)) continue;
    result = result === null ? value : pick(result, value);
  }
  return result;
}

function seconds(from: string | null, to: string | null): number | null {
  if (!from || !to) return null;
  const ms = Date.parse(to) - Date.parse(from);
  return Number.isFinite(ms) && ms >= 0 ? ms / 1000 : null;
}

/** A search folder's row: its status and model, its trials, the best validation figures among them. */
function summarizeSearch(name: string, dir: string, search: Record<string, unknown>): RunSummary {
  const trials = Object.values((search.trials ?? {}) as Record<string, Record<string, unknown>>);
  const status: IndexedStatus = STATUSES.has(search.status as string)
    ? (search.status as IndexedStatus)
    : 'unknown';
  const startedAt = str(search.createdAt);
  const updatedAt = str(search.updatedAt);
  const endedAt = str(search.endedAt);
  const values = (key: string) => trials.map((t) => num(t[key])).filter((v): v is number => v !== null);
  const losses = values('valLoss');
  const accuracies = values('valAccuracy');
  return {
    name,
    dir,
    kind: 'search',
    trials: trials.length,
    status,
    model: str(search.model),
    createdAt: startedAt,
    startedAt,
    updatedAt,
    endedAt,
    durationSeconds: seconds(startedAt, endedAt ?? updatedAt),
    epochsCompleted: values('epochs').reduce((a, b) => a + b, 0),
    restoredEpoch: null,
    lastEpoch: null,
    bestValAccuracy: accuracies.length > 0 ? Math.max(...accuracies) : null,
    bestValLoss: losses.length > 0 ? Math.min(...losses) : null,
    testAccuracy: null,
    hasModel: false,
  };
}

/** Flattens a folder's files into the fields the runs list sorts and shows. */
export function summarize(name: string, dir: string, run: RunFolderContents): RunSummary {
  if (run.search && !run.config) return summarizeSearch(name, dir, run.search);
  const state = run.state;
  const status: IndexedStatus = state && STATUSES.has(state.status) ? state.status : 'unknown';
  const startedAt = str(state?.startedAt);
  const updatedAt = str(state?.updatedAt);
  const endedAt = str(state?.endedAt);
  const lastEpoch = run.history.length > 0 ? run.history[run.history.length - 1] : null;
  const metrics = run.metrics ?? {};
  return {
    name,
    dir,
    kind: 'run',
    trials: null,
    status,
    model: str(run.config?.model),
    createdAt: str(run.config?.createdAt) ?? startedAt,
    startedAt,
    updatedAt,
    endedAt,
    durationSeconds: seconds(startedAt, endedAt ?? updatedAt),
    epochsCompleted: num(state?.epochsCompleted) ?? run.history.length,
    restoredEpoch: num(state?.restoredEpoch),
    lastEpoch,
    bestValAccuracy: best(run.history, 'val_accuracy', Math.max),
    bestValLoss: best(run.history, 'val_loss', Math.min),
    testAccuracy:
      num(metrics.accuracy) ?? num((metrics.test as Record<string, unknown> | undefined)?.accuracy),
    hasModel: run.hasModel,
  };
}
