import { constants, promises as fs } from 'node:fs';
import { VisionlabError } from '../errors.js';

/** A path that names a FIFO, a device, a socket or a folder where a file was expected. */
export class NotAFileError extends VisionlabError {
  readonly code = 'ENOTREG';

  constructor(file: string, kind: string) {
    super(
      `${file} is ${kind}, not a regular file`,
      'Point to a regular file; visionlab never reads from pipes or devices.',
    );
    this.name = 'NotAFileError';
  }
}

function kindOf(stat: import('node:fs').Stats): string {
  if (stat.isFIFO()) return 'a FIFO (named pipe)';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  if (stat.isSocket()) return 'a socket';
  if (stat.isDirectory()) return 'a folder';
  return 'not a file';
}

export interface ReadRegularFileOptions {
  /** Refuse a symbolic link as the last path component (ELOOP). Default false. */
  noFollow?: boolean;
}

/**
 * Reads a file only when it is a regular file. It is opened non-blocking and checked through the open handle,
 * so a FIFO never blocks the reader and a device such as /dev/zero is never read. Open errors (ENOENT, EACCES,
 * ELOOP for a refused symlink) are thrown as they are.
 */
export async function readRegularFile(
  file: string | Buffer,
  options: ReadRegularFileOptions = {},
): Promise<Buffer> {
  const flags = constants.O_RDONLY | constants.O_NONBLOCK | (options.noFollow ? constants.O_NOFOLLOW : 0);
  const handle = await fs.open(file, flags);
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new NotAFileError(file.toString(), kindOf(stat));
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}
