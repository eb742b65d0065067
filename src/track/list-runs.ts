import { existsSync } from 'node:fs';
import path from 'node:path';
import { openRunStore } from './run-store.js';
import type { RunSummary } from './types.js';

/** The runs of a runs folder as the run store indexes them; none when the folder does not exist (it is not created). */
export async function listRuns(runsDir: string): Promise<{ runsDir: string; runs: RunSummary[] }> {
  if (!existsSync(runsDir)) return { runsDir: path.resolve(runsDir), runs: [] };
  const store = await openRunStore(runsDir);
  try {
    return { runsDir: store.runsDir, runs: store.list() };
  } finally {
    store.close();
  }
}
