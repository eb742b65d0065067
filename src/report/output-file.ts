import { promises as fs } from 'node:fs';
import { VisionlabError } from '../errors.js';
import { writeFileAtomic } from '../util/atomic-write.js';

/** Writes a user-named output file atomically; refuses to replace a folder or a device (e.g. /dev/null) with a file. */
export async function writeOutputFile(file: string, data: string | Uint8Array): Promise<void> {
  const stat = await fs.stat(file).catch(() => undefined);
  if (stat && !stat.isFile()) {
    throw new VisionlabError(
      `${file} exists and is not a regular file.`,
      'Give a file path for the output, e.g. -o out.png.',
    );
  }
  await writeFileAtomic(file, data);
}
