/**
 * Output arrays of the native kernels, recycled when their tensor is disposed. Eager TF.js allocates a
 * fresh array per op; on transformer-sized maps (tens of MB each) the page faults and zeroing of those
 * allocations, and the garbage the collector has not yet freed, cost more time and memory than the
 * arithmetic. A buffer returns to the pool only when no tensor holds it any more and it was never
 * handed out by `dataSync()`/`data()` (a user may still hold that array) — views and shared arrays
 * are counted as holders.
 */
export class BufferPool {
  private readonly free = new Map<number, ArrayBuffer[]>();
  private freeBytes = 0;
  /** Buffers this pool allocated. */
  private readonly ours = new WeakSet<ArrayBuffer>();
  /** How many tensors hold each of our buffers (a view or a re-used array is one more). */
  private readonly holders = new WeakMap<ArrayBuffer, number>();
  /** Buffers read out to JavaScript: never recycled. */
  private readonly exposed = new WeakSet<ArrayBuffer>();

  constructor(
    /** Free bytes kept for reuse at most; beyond that released buffers go to the garbage collector. */
    private readonly maxFreeBytes: number,
    /** Arrays below this many elements are plain allocations (cheap, and too many sizes to pool). */
    private readonly minElements = 4096,
  ) {}

  /** A float32 array of `n` elements with arbitrary contents: the caller writes every element. */
  take(n: number): Float32Array {
    if (n < this.minElements) return new Float32Array(n);
    const bytes = n * 4;
    const list = this.free.get(bytes);
    const reused = list?.pop();
    if (reused) {
      this.freeBytes -= bytes;
      return new Float32Array(reused);
    }
    const array = new Float32Array(n);
    this.ours.add(array.buffer);
    return array;
  }

  /** A tensor now holds `values` (called for every array the backend stores). */
  hold(values: unknown): void {
    const buffer = this.ourBuffer(values);
    if (buffer) this.holders.set(buffer, (this.holders.get(buffer) ?? 0) + 1);
  }

  /** A tensor holding `values` was deleted; its buffer is reused when nobody else holds it. */
  release(values: unknown): void {
    const buffer = this.ourBuffer(values);
    if (!buffer) return;
    const left = (this.holders.get(buffer) ?? 1) - 1;
    this.holders.set(buffer, left);
    if (left > 0 || this.exposed.has(buffer)) return;
    if (this.freeBytes + buffer.byteLength > this.maxFreeBytes) return;
    const list = this.free.get(buffer.byteLength) ?? [];
    list.push(buffer);
    this.free.set(buffer.byteLength, list);
    this.freeBytes += buffer.byteLength;
  }

  /** `values` was handed to JavaScript code outside the kernels: its buffer is never recycled. */
  expose(values: unknown): void {
    const buffer = this.ourBuffer(values);
    if (buffer) this.exposed.add(buffer);
  }

  /** Drops every free buffer (they go to the garbage collector). */
  clear(): void {
    this.free.clear();
    this.freeBytes = 0;
  }

  get freeByteCount(): number {
    return this.freeBytes;
  }

  private ourBuffer(values: unknown): ArrayBuffer | undefined {
    if (!(values instanceof Float32Array)) return undefined;
    const buffer = values.buffer as ArrayBuffer;
    return this.ours.has(buffer) ? buffer : undefined;
  }
}

/** The native backend's pool: up to 2 GiB of free buffers kept (a DaViT-T training step frees more). */
export const bufferPool = new BufferPool(2 * 1024 ** 3);
