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

/** Flattens a folder's files into the fields the runs list sorts and shows. */
export function summarize(name: string, dir: string, run: RunFolderContents): RunSummary {
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
