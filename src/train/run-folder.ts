import path from 'node:path';
import type { ImageDataset } from '../data/types.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { formatHistoryCsv } from './history-csv.js';
import type { EpochRecord, RunState } from './types.js';

/** The files of a run folder (see the run-folder contract). */
export const RUN_FILES = {
  config: 'config.json',
  status: 'status.json',
  history: 'history.csv',
  dataset: 'dataset.json',
  model: 'model',
  checkpoint: path.join('checkpoint', 'checkpoint.bin'),
} as const;

export async function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  await writeFileAtomic(file, JSON.stringify(value, null, 2) + '\n');
}

export async function writeHistory(runDir: string, history: readonly EpochRecord[]): Promise<void> {
  await writeFileAtomic(path.join(runDir, RUN_FILES.history), formatHistoryCsv(history));
}

export async function writeStatus(runDir: string, state: RunState): Promise<void> {
  await writeJsonAtomic(path.join(runDir, RUN_FILES.status), state);
}

export interface SplitSummary {
  count: number;
  perClass: Record<string, number>;
  files?: Array<{ path: string; label: number }>;
}

export interface DatasetRecord {
  source: string;
  classNames: string[];
  imageShape: [number, number, number];
  colorMode: string;
  splits: { train: SplitSummary; validation?: SplitSummary; test?: SplitSummary };
}

export function summariseSplit(dataset: ImageDataset, withFiles = false): SplitSummary {
  const perClass: Record<string, number> = Object.fromEntries(dataset.classNames.map((c) => [c, 0]));
  dataset.labels.forEach((label) => (perClass[dataset.classNames[label]] += 1));
  const summary: SplitSummary = { count: dataset.length, perClass };
  if (withFiles)
    summary.files = Array.from(dataset.labels, (label, i) => ({ path: dataset.sources[i], label }));
  return summary;
}
