import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { EpochRecord, RunState } from '../train/types.js';
import { readRegularFile } from '../util/read-regular-file.js';
import { parseHistoryCsv } from '../train/history-csv.js';
import { RUN_FILES, runFile } from '../train/run-folder.js';

/** The files the store indexes; their sizes and mtimes make a run's signature. */
export const INDEXED_FILES = [
  RUN_FILES.config,
  RUN_FILES.status,
  RUN_FILES.history,
  RUN_FILES.metrics,
  RUN_FILES.modelJson,
  RUN_FILES.search,
];

export interface RunFolderContents {
  config: Record<string, unknown> | null;
  state: RunState | null;
  history: EpochRecord[];
  metrics: Record<string, unknown> | null;
  hasModel: boolean;
  /** A freeze-point search's `search.json` (the folder is a search, its trials run folders inside it). */
  search: Record<string, unknown> | null;
  signature: string;
}

/** `size:mtime` of each indexed file: cheap to compute, changes whenever a writer renames a new version in. */
export async function folderSignature(runDir: string): Promise<string> {
  const parts = await Promise.all(
    INDEXED_FILES.map(async (file) => {
      try {
        const stat = await fs.stat(path.join(runDir, file));
        return `${stat.size}:${stat.mtimeMs}`;
      } catch {
        return '-';
      }
    }),
  );
  return parts.join('|');
}

/** A run file's text; symlinks, FIFOs and devices are refused, so a folder cannot point the reader elsewhere. */
export async function readRunText(file: string): Promise<string> {
  return (await readRegularFile(file, { noFollow: true })).toString('utf8');
}

async function readJson(file: string): Promise<Record<string, unknown> | null> {
  try {
    const value: unknown = JSON.parse(await readRunText(file));
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

/** Reads what a run folder holds; missing or unreadable files come back as null/empty, never as an error. */
export async function readRunFolder(runDir: string): Promise<RunFolderContents> {
  const signature = await folderSignature(runDir);
  const [config, state, metrics, historyText, hasModel, search] = await Promise.all([
    readJson(runFile(runDir, 'config')),
    readJson(runFile(runDir, 'status')),
    readJson(runFile(runDir, 'metrics')),
    readRunText(runFile(runDir, 'history')).catch(() => ''),
    fs
      .access(runFile(runDir, 'modelJson'))
      .then(() => true)
      .catch(() => false),
    readJson(runFile(runDir, 'search')),
  ]);
  return {
    config,
    state: state as RunState | null,
    history: parseHistoryCsv(historyText),
    metrics,
    hasModel,
    search,
    signature,
  };
}
