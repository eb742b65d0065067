import { createHash } from 'node:crypto';
import { constants, promises as fs } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { VisionlabError } from '../errors.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { readRegularFile } from '../util/read-regular-file.js';

/**
 * One checkpoint is one file, so that a single atomic rename replaces it whole:
 * `VLCKPT01` · u32 header length · header JSON · tensor bytes. The header holds the SHA-256 of the
 * tensor bytes, so a file damaged outside the rename (disk full, copied half) is refused, never half-loaded.
 */
const MAGIC = 'VLCKPT01';

export interface TensorSpec {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32' | 'bool';
  offset: number;
  byteLength: number;
}

interface Header {
  sha256: string;
  groups: Record<string, TensorSpec[]>;
  state: unknown;
}

export interface NamedTensors {
  names: string[];
  tensors: tf.Tensor[];
}

export interface CheckpointContent<S> {
  state: S;
  /** Groups of tensors such as `weights`, `optimizer`, `callback:EarlyStopping`. */
  groups: Record<string, NamedTensors>;
}

function bytesOf(t: tf.Tensor, data: Float32Array | Int32Array | Uint8Array): Uint8Array {
  if (t.dtype === 'bool') return Uint8Array.from(data as Uint8Array);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** Serialises state and tensors into one buffer (tensors are read, not disposed). */
export async function encodeCheckpoint<S>(content: CheckpointContent<S>): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  let offset = 0;
  const groups: Record<string, TensorSpec[]> = {};
  for (const [group, { names, tensors }] of Object.entries(content.groups)) {
    groups[group] = [];
    for (let i = 0; i < tensors.length; i++) {
      const t = tensors[i];
      if (t.dtype !== 'float32' && t.dtype !== 'int32' && t.dtype !== 'bool') {
        throw new Error(`cannot checkpoint a ${t.dtype} tensor (${names[i]})`);
      }
      const bytes = bytesOf(t, (await t.data()) as Float32Array | Int32Array | Uint8Array);
      chunks.push(Uint8Array.from(bytes));
      groups[group].push({
        name: names[i],
        shape: t.shape,
        dtype: t.dtype,
        offset,
        byteLength: bytes.byteLength,
      });
      offset += bytes.byteLength;
    }
  }
  const payload = Buffer.concat(chunks);
  const header: Header = {
    sha256: createHash('sha256').update(payload).digest('hex'),
    groups,
    state: content.state,
  };
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const prefix = Buffer.alloc(MAGIC.length + 4);
  prefix.write(MAGIC, 0, 'ascii');
  prefix.writeUInt32LE(headerBytes.length, MAGIC.length);
  return Buffer.concat([prefix, headerBytes, payload]);
}

/** Parses and verifies a checkpoint; the caller owns (and disposes) the returned tensors. */
export function decodeCheckpoint<S>(buffer: Buffer, file = 'checkpoint'): CheckpointContent<S> {
  const corrupt = (why: string) =>
    new VisionlabError(
      `${file} is not a usable checkpoint (${why})`,
      'Delete it to start over, or resume from another run.',
    );
  if (buffer.length < MAGIC.length + 4 || buffer.toString('ascii', 0, MAGIC.length) !== MAGIC)
    throw corrupt('bad magic');
  const headerLength = buffer.readUInt32LE(MAGIC.length);
  const start = MAGIC.length + 4;
  if (start + headerLength > buffer.length) throw corrupt('truncated header');
  let header: Header;
  try {
    header = JSON.parse(buffer.toString('utf8', start, start + headerLength)) as Header;
  } catch {
    throw corrupt('unreadable header');
  }
  const payload = buffer.subarray(start + headerLength);
  if (createHash('sha256').update(payload).digest('hex') !== header.sha256)
    throw corrupt('checksum mismatch');
  const groups: Record<string, NamedTensors> = {};
  for (const [group, specs] of Object.entries(header.groups)) {
    const names: string[] = [];
    const tensors: tf.Tensor[] = [];
    for (const spec of specs) {
      const bytes = Uint8Array.from(payload.subarray(spec.offset, spec.offset + spec.byteLength));
      const values =
        spec.dtype === 'float32'
          ? new Float32Array(bytes.buffer)
          : spec.dtype === 'int32'
            ? new Int32Array(bytes.buffer)
            : bytes;
      names.push(spec.name);
      tensors.push(tf.tensor(values, spec.shape, spec.dtype));
    }
    groups[group] = { names, tensors };
  }
  return { state: header.state as S, groups };
}

export async function writeCheckpointFile<S>(file: string, content: CheckpointContent<S>): Promise<void> {
  await writeFileAtomic(file, await encodeCheckpoint(content));
}

export async function readCheckpointFile<S>(file: string): Promise<CheckpointContent<S>> {
  let buffer: Buffer;
  try {
    buffer = await readRegularFile(file);
  } catch (err) {
    if (err instanceof VisionlabError) throw err;
    throw new VisionlabError(
      `no checkpoint at ${file}`,
      'Resume a run that was interrupted or that wrote checkpoints.',
    );
  }
  return decodeCheckpoint<S>(buffer, file);
}

export function disposeCheckpoint(content: CheckpointContent<unknown>): void {
  for (const g of Object.values(content.groups)) tf.dispose(g.tensors);
}

/** The JSON state of a checkpoint, from its header alone (the tensors are not read); null when there is none. */
export async function readCheckpointState<S>(file: string): Promise<S | null> {
  let handle;
  try {
    handle = await fs.open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    return null;
  }
  try {
    if (!(await handle.stat()).isFile()) return null;
    const prefix = Buffer.alloc(MAGIC.length + 4);
    await handle.read(prefix, 0, prefix.length, 0);
    if (prefix.toString('ascii', 0, MAGIC.length) !== MAGIC) return null;
    const header = Buffer.alloc(prefix.readUInt32LE(MAGIC.length));
    const { bytesRead } = await handle.read(header, 0, header.length, prefix.length);
    if (bytesRead !== header.length) return null;
    return (JSON.parse(header.toString('utf8')) as Header).state as S;
  } catch {
    return null;
  } finally {
    await handle.close();
  }
}
