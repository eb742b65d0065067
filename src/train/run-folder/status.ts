import path from 'node:path';
import { readRegularFile } from '../../util/read-regular-file.js';
import { writeFileAtomic } from '../../util/atomic-write.js';
import type { RunState } from '../types.js';
import { RUN_FILES } from './files.js';

/** The run's `status.json`, or null when it is missing or unreadable. */
export async function readStatus(runDir: string): Promise<RunState | null> {
  try {
    const value: unknown = JSON.parse(
      (await readRegularFile(path.join(runDir, RUN_FILES.status), { noFollow: true })).toString('utf8'),
    );
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as RunState) : null;
  } catch {
    return null;
  }
}

/**
 * Writes `status.json`, except over a finished run with anything but another "finished": a refused or failed
 * later command must not turn a finished run into a failed one. Returns whether it wrote.
 */
export async function writeStatus(runDir: string, state: RunState): Promise<boolean> {
  if (state.status !== 'finished' && (await readStatus(runDir))?.status === 'finished') return false;
  await writeFileAtomic(path.join(runDir, RUN_FILES.status), JSON.stringify(state, null, 2) + '\n');
  return true;
}
