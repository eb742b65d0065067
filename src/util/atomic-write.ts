import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { VisionlabError } from '../errors.js';
import { isProcessAlive } from './process-alive.js';

/** `.<name>.<pid>.<random>.tmp` beside the file: hidden, and naming the writer so that a sweep knows it is dead. */
const TEMP_NAME = /^\..+\.(\d+)\.[0-9a-f]{8}\.tmp$/;

function tempNameFor(file: string): string {
  return path.join(
    path.dirname(file),
    `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
  );
}

/** A failed write, naming the file and, for a full disk or a read-only folder, what to do. */
export class WriteError extends VisionlabError {
  constructor(
    file: string,
    readonly code: string | undefined,
    cause: Error,
  ) {
    const hint =
      code === 'ENOSPC' || code === 'EDQUOT'
        ? 'The disk is full: free some space, then run the command again (a training continues with --resume).'
        : code === 'EACCES' || code === 'EPERM' || code === 'EROFS'
          ? `Make ${path.dirname(file)} writable, or write elsewhere.`
          : undefined;
    super(
      `cannot write ${file}: ${code ?? cause.message}${code === 'ENOSPC' ? ' (no space left on the device)' : ''}`,
      hint,
    );
    this.name = 'WriteError';
  }
}

/**
 * Writes to a temporary name beside `file`, flushes, then renames into place: readers never see half a file.
 * On failure the temporary file is removed and a `WriteError` names `file`.
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const temp = tempNameFor(file);
  try {
    await fs.mkdir(path.dirname(file), { recursive: true });
    const handle = await fs.open(temp, 'w');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temp, file);
  } catch (err) {
    await fs.rm(temp, { force: true }).catch(() => undefined);
    if (err instanceof VisionlabError) throw err;
    throw new WriteError(file, (err as NodeJS.ErrnoException).code, err as Error);
  }
}

/** Removes the temp files in `dir` (not below it) whose writer process is gone; returns their paths. */
export async function sweepTempFiles(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return [];
  }
  const swept: string[] = [];
  for (const name of names) {
    const pid = Number(TEMP_NAME.exec(name)?.[1]);
    if (!pid || pid === process.pid || isProcessAlive(pid)) continue;
    await fs.rm(path.join(dir, name), { force: true });
    swept.push(path.join(dir, name));
  }
  return swept;
}
