import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { EpochRecord, RunState } from '../../src/train/types.js';

export const HISTORY_HEADER = ['epoch', 'loss', 'accuracy', 'val_loss', 'val_accuracy', 'lr'];

export function historyCsv(rows: EpochRecord[]): string {
  const lines = rows.map((row) => HISTORY_HEADER.map((key) => String(row[key] ?? '')).join(','));
  return [HISTORY_HEADER.join(','), ...lines].join('\n') + '\n';
}

/** A plausible epoch row: loss falls and accuracy rises with the epoch, offset by `shift`. */
export function epochRow(epoch: number, shift = 0): EpochRecord {
  return {
    epoch,
    loss: 1 / (epoch + 1) + shift,
    accuracy: 0.5 + epoch * 0.05 - shift,
    val_loss: 1.2 / (epoch + 1) + shift,
    val_accuracy: 0.45 + epoch * 0.05 - shift,
    lr: 0.001,
  };
}

export interface FixtureRun {
  config?: Record<string, unknown>;
  state?: Partial<RunState>;
  epochs?: number;
  shift?: number;
  metrics?: Record<string, unknown>;
}

/** Writes a run folder the way training does (config, status, history; metrics when given). */
export function writeRunFolder(runsDir: string, name: string, run: FixtureRun = {}): string {
  const dir = path.join(runsDir, name);
  mkdirSync(dir, { recursive: true });
  const epochs = run.epochs ?? 3;
  writeFileSync(
    path.join(dir, 'config.json'),
    JSON.stringify({
      model: 'tiny-cnn',
      epochs,
      classNames: ['cat', 'dog'],
      imageSize: [8, 8],
      colorMode: 'rgb',
      createdAt: '2026-01-01T00:00:00.000Z',
      ...run.config,
    }),
  );
  const state: RunState = {
    status: 'finished',
    startedAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:01:30.000Z',
    endedAt: '2026-01-01T00:01:30.000Z',
    epochsCompleted: epochs,
    ...run.state,
  };
  writeFileSync(path.join(dir, 'status.json'), JSON.stringify(state));
  const rows = Array.from({ length: epochs }, (_, i) => epochRow(i + 1, run.shift ?? 0));
  writeFileSync(path.join(dir, 'history.csv'), historyCsv(rows));
  if (run.metrics) writeFileSync(path.join(dir, 'metrics.json'), JSON.stringify(run.metrics));
  return dir;
}
