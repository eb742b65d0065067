// The bf16 forms of matrix-product operands, kept with the arrays they were rounded from. In bf16 every
// product rounds both operands on each call, and a training step reads most activations three times:
// a Dense layer's input in its forward product and again in its weight gradient, the incoming gradient
// in both backward products. On DaViT-T at 280², batch 4, those conversions took about 10 % of the
// step: memory-bound passes that read each array once more and write half its size.
//
// A copy stays valid while its array keeps the contents it was rounded from. A kernel's array changes
// only when it goes back to the output pool and is handed out again (the pool forgets its copy first)
// or when it is written in place, which only weights are (fused Adam): those arrays lose their copy and
// get no other, since they change every step. Arrays the pool does not own (read out, or views of
// another array) get no copy. The oldest copies are dropped to stay within the byte budget.
import { budgetFromEnv, outputPool, type BufferPool } from './buffer-pool.js';

/** Below this many elements a conversion costs less than keeping its copy. */
const MIN_ELEMENTS = 1 << 16;
const DEFAULT_MAX_MIB = 1024;

/** A copy for a product: `ready` when it already holds the operand's rounded values. */
export interface Bf16Operand {
  /** Half as many float32 slots as the operand has elements, holding its bf16 values. */
  bits: Float32Array;
  ready: boolean;
}

export class Bf16Copies {
  /** In the order they were made, oldest first. */
  private readonly copies = new Map<Float32Array, Float32Array>();
  private readonly writtenInPlace = new WeakSet<Float32Array>();
  private heldBytes = 0;
  /** Products that read a kept copy, and copies rounded (for tests and profiling). */
  readonly stats = { reused: 0, rounded: 0 };

  constructor(
    private readonly pool: BufferPool,
    private maxBytes: number,
  ) {
    pool.onForget = (values) => this.forget(values);
  }

  /** The copy to round `values` into or to read it from, or null where the product should stage it itself. */
  operand(values: Float32Array): Bf16Operand | null {
    if (values.length < MIN_ELEMENTS || this.writtenInPlace.has(values) || !this.pool.owns(values))
      return null;
    const held = this.copies.get(values);
    if (held) {
      this.stats.reused++;
      return { bits: held, ready: true };
    }
    const length = Math.ceil(values.length / 2);
    if (length * 4 > this.maxBytes) return null;
    while (this.heldBytes + length * 4 > this.maxBytes) this.forgetOldest();
    const bits = this.pool.take(length);
    this.heldBytes += bits.byteLength;
    this.copies.set(values, bits);
    this.stats.rounded++;
    return { bits, ready: false };
  }

  /** These arrays were written in place: their copies are stale, and they get no more. */
  written(arrays: Float32Array[]): void {
    for (const values of arrays) {
      this.forget(values);
      this.writtenInPlace.add(values);
    }
  }

  /** Changes the byte budget (0 keeps no copies), dropping the oldest copies that no longer fit. */
  setLimit(maxBytes: number): void {
    this.maxBytes = Math.max(0, maxBytes);
    while (this.heldBytes > this.maxBytes) this.forgetOldest();
  }

  /** Bytes held by copies. */
  get bytes(): number {
    return this.heldBytes;
  }

  private forgetOldest(): void {
    this.forget(this.copies.keys().next().value as Float32Array);
  }

  /** Drops the copy of `values`: its array was taken back by the pool (new contents to come) or written. */
  private forget(values: Float32Array): void {
    this.writtenInPlace.delete(values);
    const held = this.copies.get(values);
    if (!held) return;
    this.copies.delete(values);
    this.heldBytes -= held.byteLength;
    this.pool.release(held);
  }
}

/** The copies of the `native` backend's products. */
export const bf16Copies = new Bf16Copies(
  outputPool,
  budgetFromEnv('VISIONLAB_BF16_COPIES_MIB', DEFAULT_MAX_MIB),
);
