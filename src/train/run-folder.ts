import path from 'node:path';
import type { ImageDataset } from '../data/types.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { formatHistoryCsv } from './history-csv.js';
import { RUN_FILES } from './run-folder/files.js';
import type { EpochRecord } from './types.js';

/**
 * The run folder: its file names, name checks, lookup, locking, readers and writers. Its format is described
 * in docs/run-folder.md.
 */
export { RUN_FILES, runFile, type RunFileKey } from './run-folder/files.js';
export { isValidRunName, runDirFor } from './run-folder/name.js';
export { resolveRunDir } from './run-folder/lookup.js';
export { RunLock, lockOwner } from './run-folder/lock.js';
export {
  checkRunFolderFree,
  lockRunFolder,
  reserveRunFolder,
  sweepRunTempFiles,
} from './run-folder/reserve.js';
export { readStatus, writeStatus } from './run-folder/status.js';
export { loadRunModel, readRunConfig } from './run-folder/read.js';

export async function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  await writeFileAtomic(file, JSON.stringify(value, null, 2) + '\n');
}

export async function writeHistory(runDir: string, history: readonly EpochRecord[]): Promise<void> {
  await writeFileAtomic(path.join(runDir, RUN_FILES.history), formatHistoryCsv(history));
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
