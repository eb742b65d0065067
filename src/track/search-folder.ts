import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { runFile } from '../train/run-folder.js';

/**
 * The run folders of a freeze-point search's trials: each candidate at the longest rung it reached once
 * the search has finished, else every trial finished so far. Empty when `dir` is not a search folder.
 */
export async function searchTrialDirs(dir: string): Promise<string[]> {
  let search: { results?: Array<{ runDir: string }>; trials?: Record<string, { runDir: string }> };
  try {
    search = JSON.parse(await fs.readFile(runFile(dir, 'search'), 'utf8')) as typeof search;
  } catch {
    return [];
  }
  const dirs =
    search.results?.map((r) => r.runDir) ?? Object.values(search.trials ?? {}).map((t) => t.runDir);
  // The search may have been moved: its trials are the folders of those names inside it.
  return [...new Set(dirs)]
    .map((d) => path.join(dir, path.basename(d)))
    .filter((d) => existsSync(runFile(d, 'config')));
}

/** Whether `dir` is a search folder (it holds `search.json`). */
export function isSearchFolder(dir: string): boolean {
  return existsSync(runFile(dir, 'search'));
}
