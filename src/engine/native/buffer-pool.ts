// Output arrays of the native kernels, recycled. Every eager op allocates a fresh Float32Array; V8
// zero-fills it and counts it as external memory, and on a small CNN that external churn triggers
// about one full garbage collection per training step (7-8 ms each, plus scavenges), more than the
// step's arithmetic. The native backend returns the array of a disposed tensor here, and the next
// kernel asking for an array of that length takes it back (its old contents are overwritten: every
// native kernel writes all of its output).
//
// Only arrays handed out by `take` are recycled, and only while nothing else can still see them:
// an array read out through `readSync`/`read` (what `dataSync()` returns is the array itself) or
// viewed by another tensor (a `cpu` kernel's `subarray` slice) is disowned and left to the GC.
//
// The budget must hold a whole step's arrays: TF.js keeps every forward tensor of a training step
// until its backward pass ends, so they all come back at once. DaViT-T at 280², batch 4, returns
// 2.8 GB a step; with a 1 GiB budget the rest was dropped and allocated again each step (580 fresh
// arrays a step, 40 % more processor time) for the same peak RSS, since the dropped arrays are held
// until the GC frees them. The default is 4 GiB, or a quarter of the machine's memory if smaller.
import os from 'node:os';

const DEFAULT_MAX_MIB = Math.min(4096, Math.floor(os.totalmem() / 4 / 2 ** 20));

/** A byte budget set in MiB by the environment variable `name`, or `defaultMib` when unset or not a size. */
export function budgetFromEnv(name: string, defaultMib: number): number {
  const mib = Number(process.env[name] ?? defaultMib);
  return (Number.isFinite(mib) && mib >= 0 ? mib : defaultMib) * 2 ** 20;
}

export class BufferPool {
  private readonly free = new Map<number, Float32Array[]>();
  private readonly owned = new WeakSet<ArrayBufferLike>();
  private pooledBytes = 0;
  /** Called with every array that is taken back or disowned, before anything else can write into it. */
  onForget?: (values: Float32Array) => void;
  /** Arrays taken from the pool and arrays newly allocated by `take` (for tests and profiling). */
  readonly stats = { reused: 0, allocated: 0 };

  constructor(private maxBytes = budgetFromEnv('VISIONLAB_BUFFER_POOL_MIB', DEFAULT_MAX_MIB)) {}

  /** Changes the byte budget (0 turns recycling off), dropping the oldest free arrays that no longer fit. */
  setLimit(maxBytes: number): void {
    this.maxBytes = Math.max(0, maxBytes);
    while (this.pooledBytes > this.maxBytes) this.evictOldest();
  }

  /** A Float32Array of `length` elements with arbitrary contents, recycled when one is free. */
  take(length: number): Float32Array {
    const list = this.free.get(length);
    const recycled = list?.pop();
    if (recycled) {
      if (list?.length === 0) this.free.delete(length);
      this.pooledBytes -= recycled.byteLength;
      this.stats.reused++;
      return recycled;
    }
    const fresh = new Float32Array(length);
    if (this.maxBytes > 0) this.owned.add(fresh.buffer);
    this.stats.allocated++;
    return fresh;
  }

  /** True for an array `take` handed out that has not been disowned. */
  owns(values: unknown): values is Float32Array {
    return (
      values instanceof Float32Array &&
      values.byteOffset === 0 &&
      values.byteLength === values.buffer.byteLength &&
      this.owned.has(values.buffer)
    );
  }

  /** Never recycle this array's memory: something outside the backend may still read it. */
  disown(values: unknown): void {
    if (!ArrayBuffer.isView(values)) return;
    if (values instanceof Float32Array) this.onForget?.(values);
    this.owned.delete(values.buffer);
  }

  /** Takes back the array of a disposed tensor, when `take` made it and nothing else sees it. */
  release(values: unknown): void {
    if (!this.owns(values)) return;
    this.onForget?.(values);
    if (values.byteLength > this.maxBytes) return;
    while (this.pooledBytes + values.byteLength > this.maxBytes) this.evictOldest();
    const list = this.free.get(values.length);
    if (list) list.push(values);
    else this.free.set(values.length, [values]);
    this.pooledBytes += values.byteLength;
  }

  /** The byte budget. */
  get limit(): number {
    return this.maxBytes;
  }

  /** Bytes held for reuse. */
  get bytes(): number {
    return this.pooledBytes;
  }

  /** Drops every free array (they are left to the GC). */
  clear(): void {
    this.free.clear();
    this.pooledBytes = 0;
  }

  private evictOldest(): void {
    const [length, list] = this.free.entries().next().value as [number, Float32Array[]];
    const dropped = list.shift() as Float32Array;
    if (list.length === 0) this.free.delete(length);
    this.pooledBytes -= dropped.byteLength;
  }
}

/** The pool of the `native` backend's kernels. */
export const outputPool = new BufferPool();

/** A kernel's float32 output array (contents arbitrary: the kernel must write every element). */
export function outputFloats(length: number): Float32Array {
  return outputPool.take(length);
}
