import * as tf from '@tensorflow/tfjs-core';
import { VisionlabError } from '../errors.js';
import { initBackend } from './backend.js';
import { loadAddon } from './native/addon.js';
import { NATIVE } from './native/kernel-utils.js';

/**
 * Compute precision of the `native` matrix-product and convolution kernels. `bf16` is mixed precision
 * as Keras' `mixed_bfloat16`: operands rounded to bfloat16, products accumulated and stored in fp32, so
 * master weights, loss and optimizer state stay fp32.
 */
export const PRECISIONS = ['fp32', 'bf16'] as const;
export type Precision = (typeof PRECISIONS)[number];

/** What this process can run: the ISA oneDNN dispatches to decides whether bf16 is there. */
export interface PrecisionSupport {
  /** oneDNN's effective ISA (e.g. `avx512_core_bf16`), or undefined without the native addon. */
  isa?: string;
  precisions: Precision[];
  /** Why bf16 is unavailable, when it is. */
  bf16Missing?: string;
}

/** oneDNN ISAs with bfloat16 dot-product instructions (AVX512_BF16, or AMX tiles). */
const BF16_ISAS = new Set(['avx512_core_bf16', 'avx512_core_amx']);

/** The precisions this CPU runs, from what oneDNN reports. */
export function detectPrecisionSupport(): PrecisionSupport {
  const { addon, error } = loadAddon();
  if (!addon) return { precisions: ['fp32'], bf16Missing: `bf16 needs the native backend, and ${error}` };
  return precisionSupportFor(addon.info().isa);
}

/** The precisions available when oneDNN dispatches to `isa`. */
export function precisionSupportFor(isa: string): PrecisionSupport {
  if (BF16_ISAS.has(isa)) return { isa, precisions: ['fp32', 'bf16'] };
  return {
    isa,
    precisions: ['fp32'],
    bf16Missing: `this CPU has neither AVX512_BF16 nor AMX (oneDNN dispatches to ${isa})`,
  };
}

export function parsePrecision(value: string): Precision {
  const p = value.trim().toLowerCase();
  if ((PRECISIONS as readonly string[]).includes(p)) return p as Precision;
  throw new VisionlabError(
    `Precision '${value}' is not one visionlab knows.`,
    `Use one of: ${PRECISIONS.join(', ')}.`,
  );
}

let current: Precision = 'fp32';

/**
 * Sets the compute precision of the native kernels for the whole process. bf16 is refused with a
 * VisionlabError where the CPU cannot run it or the active backend is not `native`.
 */
export function setPrecision(
  precision: Precision,
  support: PrecisionSupport = detectPrecisionSupport(),
): void {
  if (precision === 'bf16') {
    if (!support.precisions.includes('bf16')) {
      throw new VisionlabError(
        `--precision bf16 is not available: ${support.bf16Missing ?? 'this CPU cannot run bf16'}.`,
        'Train with --precision fp32 (the default), or on a CPU with AVX512_BF16 or AMX.',
      );
    }
    if (tf.getBackend() !== NATIVE) {
      throw new VisionlabError(
        `--precision bf16 needs the native backend; the active backend is ${tf.getBackend()}.`,
        'Unset VISIONLAB_BACKEND (or set it to native), or train with --precision fp32.',
      );
    }
  }
  current = precision;
}

export function getPrecision(): Precision {
  return current;
}

/**
 * Runs `fn` with the native kernels in `precision` (after picking the backend), then restores the
 * previous precision: training in bf16 leaves evaluation and prediction in fp32.
 */
export async function withPrecision<T>(precision: Precision, fn: () => Promise<T>): Promise<T> {
  await initBackend();
  const previous = current;
  setPrecision(precision);
  try {
    return await fn();
  } finally {
    current = previous;
  }
}

/** What the native matmul and convolution kernels consult: round operands to bfloat16? */
export function bf16Compute(): boolean {
  return current === 'bf16';
}
