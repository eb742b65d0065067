import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { VisionlabError } from '../../errors.js';
import { isProcessAlive } from '../../util/process-alive.js';
import { RUN_FILES } from './files.js';

interface LockOwner {
  pid: number;
  host: string;
  nonce: string;
  since: string;
}

/** Whether process `pid` on this machine is alive (a lock from another machine counts as alive). */
export function isOwnerAlive(owner: { pid: number; host: string }): boolean {
  return owner.host !== os.hostname() || isProcessAlive(owner.pid);
}

async function readOwner(file: string): Promise<LockOwner | null> {
  try {
    const value = JSON.parse(await fs.readFile(file, 'utf8')) as Partial<LockOwner>;
    return typeof value.pid === 'number' && typeof value.host === 'string' ? (value as LockOwner) : null;
  } catch {
    return null;
  }
}

/** The live process training in `runDir`, if any. */
export async function lockOwner(runDir: string): Promise<LockOwner | null> {
  const owner = await readOwner(path.join(runDir, RUN_FILES.lock));
  return owner && isOwnerAlive(owner) ? owner : null;
}

/** Held while a process trains in a run folder: `run.lock` names its pid; a dead owner's lock is taken over. */
export class RunLock {
  private constructor(
    readonly file: string,
    private readonly nonce: string,
  ) {}

  static async acquire(runDir: string): Promise<RunLock> {
    const file = path.join(runDir, RUN_FILES.lock);
    const nonce = randomBytes(8).toString('hex');
    const body = JSON.stringify({
      pid: process.pid,
      host: os.hostname(),
      nonce,
      since: new Date().toISOString(),
    });
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await fs.writeFile(file, body, { flag: 'wx' });
        return new RunLock(file, nonce);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const owner = await readOwner(file);
      if (owner && isOwnerAlive(owner)) {
        throw new VisionlabError(
          `the run folder ${runDir} is in use by process ${owner.pid} (since ${owner.since})`,
          'Wait for it to finish, or pick another --name.',
        );
      }
      // The owner died (killed, power loss): move its lock aside, but only if it is still the dead one.
      const stale = `${file}.${process.pid}.${nonce}.stale`;
      await fs.rename(file, stale).catch(() => undefined);
      const moved = await readOwner(stale);
      if (moved && owner && moved.nonce !== owner.nonce) {
        await fs.rename(stale, file).catch(() => undefined);
        continue;
      }
      await fs.rm(stale, { force: true });
    }
    throw new VisionlabError(
      `another process took the run folder ${runDir} at the same time`,
      'Pick another --name.',
    );
  }

  async release(): Promise<void> {
    const owner = await readOwner(this.file);
    if (owner?.nonce === this.nonce) await fs.rm(this.file, { force: true });
  }
}
