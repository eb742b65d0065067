import { constants, promises as fs } from 'node:fs';
import type { ByteBudget } from './concurrency.js';
import { channelsOf, decodeBytes, type DecodeSpec } from './decode-options.js';
import { decodeImage, ImageReadError, probeImage } from './decode-image.js';
import { ImageCache } from './image-cache.js';
import type { ImageFile } from './image-files.js';

function describeReadError(err: unknown): ImageReadError {
  const code = (err as NodeJS.ErrnoException).code;
  return new ImageReadError(
    code === 'EACCES' || code === 'EPERM' ? 'permission denied' : (err as Error).message,
  );
}

export async function readImageBytes(file: ImageFile): Promise<Buffer> {
  try {
    return await fs.readFile(file.path);
  } catch (err) {
    throw describeReadError(err);
  }
}

/**
 * What to hand sharp: the path itself when it survives a UTF-8 round trip (libvips then reads only
 * what it needs, in one thread-pool task with no main-thread work in between), else the file's bytes.
 */
export async function sharpInput(file: ImageFile): Promise<string | Buffer> {
  if (file.size === 0) throw new ImageReadError('the file is empty (0 bytes)');
  const text = file.path.toString('utf8');
  return Buffer.from(text).equals(file.path) ? text : readImageBytes(file);
}

/** Like `sharpInput`, but first checks read permission so that the reason given is the right one. */
export async function probeInput(file: ImageFile): Promise<string | Buffer> {
  try {
    await fs.access(file.path, constants.R_OK);
  } catch (err) {
    throw describeReadError(err);
  }
  return sharpInput(file);
}

/**
 * The pixels of one file: from the disk cache when present, else decoded (and then cached). With a
 * `decodeMemory` budget, the header is read first and the decode waits until its full-size bytes fit.
 */
export async function loadImageFile(
  file: ImageFile,
  spec: DecodeSpec,
  cacheDir?: string,
  decodeMemory?: ByteBudget,
): Promise<Uint8Array> {
  const cache = cacheDir ? new ImageCache(cacheDir) : undefined;
  const channels = channelsOf(spec.colorMode);
  const key = cache?.keyFor(file, spec);
  if (cache && key) {
    const hit = cache.read(key, spec, channels);
    if (hit) return hit;
  }
  const input = await sharpInput(file);
  let pixels: Uint8Array;
  if (decodeMemory) {
    const { width, height } = await probeImage(input, spec.maxPixels);
    pixels = await decodeMemory.run(decodeBytes(width, height), () => decodeImage(input, spec));
  } else {
    pixels = await decodeImage(input, spec);
  }
  // A cache that cannot be written (read-only disk, full disk) only costs speed.
  if (cache && key) await cache.write(key, spec, channels, pixels).catch(() => undefined);
  return pixels;
}
