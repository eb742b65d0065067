import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { VisionlabError } from '../../errors.js';
import { sweepTempFiles } from '../../util/atomic-write.js';
import { RUN_FILES } from './files.js';
import { RunLock } from './lock.js';

/** Files whose presence means the run trained at least one epoch and may not be overwritten. */
function hasProgress(runDir: string): boolean {
  return (
    existsSync(path.join(runDir, RUN_FILES.checkpoint)) || existsSync(path.join(runDir, RUN_FILES.modelJson))
  );
}

/**
 * Throws when `runDir` holds a run that may not be overwritten by a new training. A folder left by a training
 * killed before its first checkpoint holds nothing to keep, so its name can be used again.
 */
export function checkRunFolderFree(runDir: string): void {
  if (existsSync(path.join(runDir, RUN_FILES.config)) && hasProgress(runDir)) {
    throw new VisionlabError(
      `the run folder ${runDir} already exists`,
      'Pick another --name, or --resume it.',
    );
  }
}

/**
 * Claims a new run folder atomically: `mkdir` fails for the second of two trainings with the same name, and
 * the lock decides between them when the folder was left behind by a training killed before it saved
 * anything (that folder is taken over, its temp files swept). Returns the held lock.
 */
export async function reserveRunFolder(runDir: string): Promise<RunLock> {
  await fs.mkdir(path.dirname(runDir), { recursive: true });
  let created = true;
  try {
    await fs.mkdir(runDir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    created = false;
  }
  const lock = await RunLock.acquire(runDir);
  if (!created) {
    try {
      checkRunFolderFree(runDir);
    } catch (err) {
      await lock.release();
      throw err;
    }
  }
  await sweepRunTempFiles(runDir);
  return lock;
}

/** Takes the lock of an existing run folder to continue it, sweeping what killed writers left behind. */
export async function lockRunFolder(runDir: string): Promise<RunLock> {
  const lock = await RunLock.acquire(runDir);
  await sweepRunTempFiles(runDir);
  return lock;
}

/** Temp files of dead writers in the run folder, its model and its checkpoint folders. */
export async function sweepRunTempFiles(runDir: string): Promise<string[]> {
  const swept: string[] = [];
  for (const dir of [
    runDir,
    path.join(runDir, RUN_FILES.model),
    path.join(runDir, RUN_FILES.checkpointDir),
  ]) {
    swept.push(...(await sweepTempFiles(dir)));
  }
  return swept;
}
