import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { VisionlabError } from '../errors.js';
import { writeJsonAtomic } from '../train/run-folder.js';
import type { TrialReport } from './executor.js';

/** `search.json` in the search folder: what was asked, and every finished trial (so a killed search resumes). */
export interface SearchState {
  name: string;
  /** The settings that decide the trials; a resumed search must have the same. */
  settings: Record<string, unknown>;
  createdAt: string;
  trials: Record<string, TrialReport>;
}

export const SEARCH_FILE = 'search.json';

/** The state of the search in `dir`: the saved one when its settings match, a new one when there is none. */
export async function openSearchState(
  dir: string,
  name: string,
  settings: Record<string, unknown>,
): Promise<SearchState> {
  const file = path.join(dir, SEARCH_FILE);
  if (!existsSync(file)) return { name, settings, createdAt: new Date().toISOString(), trials: {} };
  const saved = JSON.parse(await fs.readFile(file, 'utf8')) as SearchState;
  if (JSON.stringify(saved.settings) !== JSON.stringify(settings)) {
    throw new VisionlabError(
      `the search folder ${dir} holds a search with other settings`,
      'Give this search another --name, or repeat the first one with the same flags to resume it.',
    );
  }
  return saved;
}

export async function saveSearchState(dir: string, state: SearchState): Promise<void> {
  await writeJsonAtomic(path.join(dir, SEARCH_FILE), state);
}
