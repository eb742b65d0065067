import { constants, promises as fs } from 'node:fs';

const SIGNATURE = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);
/** The HDF5 superblock sits at 0 or, after a user block, at 512, 1024, 2048 … bytes. */
const OFFSETS = [0, 512, 1024, 2048, 4096, 8192];

/**
 * Whether `file` carries the HDF5 signature, checked before the HDF5 library opens it: for any other file
 * the library prints pages of diagnostics before its error. FIFOs and devices are not HDF5 files.
 */
export async function hasHdf5Signature(file: string): Promise<boolean> {
  const handle = await fs.open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    if (!(await handle.stat()).isFile()) return false;
    const bytes = Buffer.alloc(SIGNATURE.length);
    for (const offset of OFFSETS) {
      const { bytesRead } = await handle.read(bytes, 0, bytes.length, offset);
      if (bytesRead < bytes.length) return false;
      if (bytes.equals(SIGNATURE)) return true;
    }
    return false;
  } finally {
    await handle.close();
  }
}
