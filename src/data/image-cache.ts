import { createHash, randomBytes } from 'node:crypto';
import { promises as fs, readFileSync } from 'node:fs';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import type { DecodeSpec } from './decode-options.js';
import type { ImageFile } from './image-files.js';

const MAGIC = 0x32434c56; // "VLC2"
const HEADER_BYTES = 20;

/**
 * On-disk cache of decoded, resized uint8 images. An entry is keyed on the file's path, size and
 * mtime and on everything that shapes the pixels (size, interpolation, colour mode, crop), and is
 * written to a temporary name and renamed into place: concurrent runs and killed runs never leave a
 * half-written entry under a real name. Entries are not fsynced (they can always be rebuilt, and
 * syncing halves the cold-run speed); a CRC-32 of the pixels catches what a power cut might leave,
 * and a damaged entry is detected (header, length, checksum) and redone.
 */
export class ImageCache {
  constructor(readonly dir: string) {}

  keyFor(file: ImageFile, spec: DecodeSpec): string {
    return createHash('sha256')
      .update(file.path)
      .update(
        JSON.stringify([
          file.size,
          file.mtimeMs,
          spec.height,
          spec.width,
          spec.colorMode,
          spec.interpolation,
          spec.cropToAspectRatio,
        ]),
      )
      .digest('hex');
  }

  pathOf(key: string): string {
    return path.join(this.dir, key.slice(0, 2), `${key}.u8`);
  }

  async has(key: string): Promise<boolean> {
    try {
      await fs.access(this.pathOf(key));
      return true;
    } catch {
      return false;
    }
  }

  /**
   * The cached pixels, or `undefined` when absent or damaged. Read synchronously: an entry is small
   * and in the page cache, and one blocking read beats four event-loop round trips.
   */
  read(key: string, spec: DecodeSpec, channels: number): Uint8Array | undefined {
    let bytes: Buffer;
    try {
      bytes = readFileSync(this.pathOf(key));
    } catch {
      return undefined;
    }
    const expected = spec.height * spec.width * channels;
    if (bytes.length !== HEADER_BYTES + expected) return undefined;
    if (
      bytes.readUInt32LE(0) !== MAGIC ||
      bytes.readUInt32LE(4) !== spec.height ||
      bytes.readUInt32LE(8) !== spec.width ||
      bytes.readUInt32LE(12) !== channels
    ) {
      return undefined;
    }
    const pixels = new Uint8Array(bytes.buffer, bytes.byteOffset + HEADER_BYTES, expected);
    return crc32(pixels) === bytes.readUInt32LE(16) ? pixels : undefined;
  }

  async write(key: string, spec: DecodeSpec, channels: number, pixels: Uint8Array): Promise<void> {
    const header = Buffer.alloc(HEADER_BYTES);
    header.writeUInt32LE(MAGIC, 0);
    header.writeUInt32LE(spec.height, 4);
    header.writeUInt32LE(spec.width, 8);
    header.writeUInt32LE(channels, 12);
    header.writeUInt32LE(crc32(pixels), 16);
    const file = this.pathOf(key);
    await fs.mkdir(path.dirname(file), { recursive: true });
    const temp = path.join(
      path.dirname(file),
      `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
    );
    try {
      await fs.writeFile(temp, Buffer.concat([header, pixels]));
      await fs.rename(temp, file);
    } catch (err) {
      await fs.rm(temp, { force: true });
      throw err;
    }
  }
}
