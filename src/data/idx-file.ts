import { promises as fs } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { VisionlabError } from '../errors.js';

/**
 * The IDX format of MNIST and its family: two zero bytes, a type code, the number of dimensions,
 * each dimension as a big-endian uint32, then the values. Parsed here by hand: the format is a
 * dozen lines and no maintained package reads it.
 */
export interface IdxArray {
  shape: number[];
  data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}

const TYPES: Record<
  number,
  { bytes: number; read: (view: DataView, offset: number) => number; name: string }
> = {
  0x08: { bytes: 1, read: (v, o) => v.getUint8(o), name: 'uint8' },
  0x09: { bytes: 1, read: (v, o) => v.getInt8(o), name: 'int8' },
  0x0b: { bytes: 2, read: (v, o) => v.getInt16(o), name: 'int16' },
  0x0c: { bytes: 4, read: (v, o) => v.getInt32(o), name: 'int32' },
  0x0d: { bytes: 4, read: (v, o) => v.getFloat32(o), name: 'float32' },
  0x0e: { bytes: 8, read: (v, o) => v.getFloat64(o), name: 'float64' },
};

/** Parses IDX bytes (gzipped or not). `name` is used in error messages. */
export function parseIdx(input: Uint8Array, name: string): IdxArray {
  let bytes = input;
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch (err) {
      throw new VisionlabError(
        `${name} is a damaged gzip file (${(err as Error).message}).`,
        'Download it again.',
      );
    }
  }
  const type = TYPES[bytes[2]];
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0 || !type || bytes[3] === 0) {
    throw new VisionlabError(
      `${name} is not an IDX file (bad magic number).`,
      'Pass MNIST-format *-idx?-ubyte[.gz] files.',
    );
  }
  const dims = bytes[3];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 4 + 4 * dims) throw new VisionlabError(`${name} is truncated (incomplete header).`);
  const shape = Array.from({ length: dims }, (_, i) => view.getUint32(4 + 4 * i));
  const count = shape.reduce((a, b) => a * b, 1);
  const offset = 4 + 4 * dims;
  const expected = offset + count * type.bytes;
  if (bytes.length < expected) {
    throw new VisionlabError(
      `${name} is truncated: its header announces ${shape.join('×')} ${type.name} values (${expected} bytes) but it has ${bytes.length} bytes.`,
      'Download it again.',
    );
  }
  if (type.name === 'uint8') return { shape, data: bytes.slice(offset, expected) };
  const data =
    type.name === 'int8'
      ? new Int8Array(count)
      : type.name === 'int16'
        ? new Int16Array(count)
        : type.name === 'int32'
          ? new Int32Array(count)
          : type.name === 'float32'
            ? new Float32Array(count)
            : new Float64Array(count);
  for (let i = 0; i < count; i++) data[i] = type.read(view, offset + i * type.bytes);
  return { shape, data };
}

export async function readIdxFile(file: string): Promise<IdxArray> {
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new VisionlabError(`Cannot read IDX file ${file} (${code === 'ENOENT' ? 'not found' : code}).`);
  }
  return parseIdx(bytes, file);
}
