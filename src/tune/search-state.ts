import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { VisionlabError } from '../errors.js';
import { RUN_FILES, writeJsonAtomic } from '../train/run-folder.js';
import type { TrialReport } from './executor.js';

/** `search.json` in the search folder: what was asked, and every finished trial (so a killed search resumes). */
export interface SearchState {
  name: string;
  /** `finished` once every rung has run; a killed search stays `running` until it is resumed. */
  status: 'running' | 'finished' | 'failed';
  model: string;
  updatedAt?: string;
  endedAt?: string;
  message?: string;
  /** Once finished: each candidate at the longest rung it reached, and the best one's freeze point. */
  results?: Array<{ freeze: string; runDir: string; valLoss: number; valAccuracy: number; epochs: number }>;
  best?: string;
  /** The settings that decide the trials; a resumed search must have the same. */
  settings: Record<string, unknown>;
  createdAt: string;
  trials: Record<string, TrialReport>;
}

export const SEARCH_FILE = RUN_FILES.search;

/** The state of the search in `dir`: the saved one when its settings match, a new one when there is none. */
export async function openSearchState(
  dir: string,
  name: string,
  model: string,
  settings: Record<string, unknown>,
): Promise<SearchState> {
  const file = path.join(dir, SEARCH_FILE);
  if (!existsSync(file)) {
    return { name, status: 'running', model, settings, createdAt: new Date().toISOString(), trials: {} };
  }
  const saved = JSON.parse(await fs.readFile(file, 'utf8')) as SearchState;
  if (JSON.stringify(saved.settings) !== JSON.stringify(settings)) {
    throw new VisionlabError(
      `the search folder ${dir} holds a search with other settings`,
      'Give this search another --name, or repeat the first one with the same flags to resume it.',
    );
  }
  return { ...saved, status: 'running', model, endedAt: undefined, message: undefined };
}

export async function saveSearchState(dir: string, state: SearchState): Promise<void> {
  state.updatedAt = new Date().toISOString();
  await writeJsonAtomic(path.join(dir, SEARCH_FILE), state);
}
