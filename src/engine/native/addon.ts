import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** A native training plan: an opaque handle owned by the addon, freed when garbage-collected. */
export type NativePlan = { readonly __nativePlan: unique symbol };

/** The functions of `native/build/Release/visionlab_native.node` (see native/src). */
export interface NativeAddon {
  info(): {
    onednn: string;
    onednnRuntime: string;
    isa: string;
    openblas: string;
    threads: number;
    openblasThreads: number;
  };
  setThreads(n: number): void;
  conv2dForward(
    x: Float32Array,
    filter: Float32Array,
    bias: Float32Array | null,
    y: Float32Array,
    p: Int32Array,
  ): void;
  conv2dBackwardData(dy: Float32Array, filter: Float32Array, dx: Float32Array, p: Int32Array): void;
  conv2dBackwardWeights(x: Float32Array, dy: Float32Array, dw: Float32Array, p: Int32Array): void;
  convImpl(kind: 'forward' | 'data' | 'weights', p: Int32Array): string;
  /** Bytes held by the scratch arrays that eager convolutions and bf16 products convert their operands through. */
  convScratchBytes(): number;
  poolForward(max: boolean, x: Float32Array, y: Float32Array, p: Int32Array): void;
  poolBackward(max: boolean, x: Float32Array, dy: Float32Array, dx: Float32Array, p: Int32Array): void;
  matmul(
    a: Float32Array,
    b: Float32Array,
    c: Float32Array,
    p: Int32Array,
    bias: Float32Array | null,
    act: number,
    bf16?: boolean,
    aCopy?: Float32Array | null,
    aCopyReady?: boolean,
    bCopy?: Float32Array | null,
    bCopyReady?: boolean,
  ): void;
  binary(
    op: number,
    a: Float32Array,
    b: Float32Array,
    out: Float32Array,
    aShape?: Int32Array,
    bShape?: Int32Array,
    outShape?: Int32Array,
  ): void;
  /** Operation codes of `binary`, `unary` and `compare` by TF.js kernel name (native/src/eltwise.cc, compare.cc). */
  binaryOps: Readonly<Record<string, number>>;
  unaryOps: Readonly<Record<string, number>>;
  compareOps: Readonly<Record<string, number>>;
  unary(op: number, x: Float32Array, out: Float32Array, alpha: number, beta?: number): void;
  reluBackward(dy: Float32Array, x: Float32Array, dx: Float32Array): void;
  sum(x: Float32Array, out: Float32Array, outer: number, middle: number, inner: number, scale?: number): void;
  concat(inputs: Float32Array[], out: Float32Array, outer: number): void;
  slice(x: Float32Array, out: Float32Array, inShape: Int32Array, begin: Int32Array, size: Int32Array): void;
  compare(op: number, a: Float32Array, b: Float32Array, out: Uint8Array): void;
  transpose(x: Float32Array, out: Float32Array, inShape: Int32Array, perm: Int32Array): void;
  softmax(x: Float32Array, out: Float32Array, rows: number, cols: number): void;
  tile(x: Float32Array, out: Float32Array, inShape: Int32Array, reps: Int32Array): void;
  split(x: Float32Array, outputs: Float32Array[], outer: number): void;
  /** Adam over many variables at once, writing weights and moments in place (native/src/adam.cc). */
  adamInPlace(
    values: Float32Array[],
    grads: Float32Array[],
    m: Float32Array[],
    v: Float32Array[],
    sizes: Int32Array,
    hyper: Float32Array,
  ): void;
  softmaxBackward(y: Float32Array, dy: Float32Array, dx: Float32Array, rows: number, cols: number): void;
  layerNorm(
    x: Float32Array,
    gamma: Float32Array,
    beta: Float32Array,
    y: Float32Array,
    mean: Float32Array,
    variance: Float32Array,
    rows: number,
    cols: number,
    epsilon: number,
  ): void;
  layerNormBackward(
    x: Float32Array,
    gamma: Float32Array,
    mean: Float32Array,
    variance: Float32Array,
    dy: Float32Array,
    dx: Float32Array,
    dgamma: Float32Array,
    dbeta: Float32Array,
    rows: number,
    cols: number,
    epsilon: number,
  ): void;
  gelu(x: Float32Array, y: Float32Array): void;
  geluBackward(x: Float32Array, dy: Float32Array, dx: Float32Array): void;
  /** A planned training step (native/src/plan.cc); the spec is written by src/engine/plan/training-plan.ts. */
  planCreate(spec: Int32Array, floats: Float32Array): NativePlan;
  planForward(
    plan: NativePlan,
    x: Float32Array,
    weights: (Float32Array | null)[],
    /** Per dropout op, its mask's random state and rate (src/engine/plan/dropout-mask.ts). */
    masks: (Float64Array | null)[],
    /** One array per output of the plan. */
    ys: Float32Array[],
  ): void;
  /** Fills `mask` with tf.dropout's multiplier drawn from `state` ([s0, s1, s2, c, rate]). */
  dropoutMask(state: Float64Array, mask: Float32Array): void;
  planBackward(
    plan: NativePlan,
    x: Float32Array,
    dys: Float32Array[],
    weights: (Float32Array | null)[],
    grads: (Float32Array | null)[],
  ): void;
  planDescribe(plan: NativePlan): string[];
  /** [forward ms, backward ms] of each op in the plan's last step. */
  planTimes(plan: NativePlan): [number, number][];
  pad(
    x: Float32Array,
    out: Float32Array,
    inShape: Int32Array,
    before: Int32Array,
    after: Int32Array,
    value: number,
  ): void;
}

const ADDON_RELATIVE = path.join('native', 'build', 'Release', 'visionlab_native.node');

/** Finds the addon next to the package root, from `src/` (tsx) or `dist/src/` (built). */
function addonPath(): string | undefined {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = path.join(dir, ADDON_RELATIVE);
    if (existsSync(candidate)) return candidate;
    dir = path.dirname(dir);
  }
  return undefined;
}

let loaded: { addon?: NativeAddon; error?: string } | undefined;

/** Loads the addon once; `error` says why it is unavailable. */
export function loadAddon(): { addon?: NativeAddon; error?: string } {
  if (loaded) return loaded;
  const file = addonPath();
  if (!file) {
    loaded = {
      error: `the native addon is not built (${ADDON_RELATIVE} is missing; oneDNN or OpenBLAS were missing at install, or the build failed: run 'npm rebuild visionlab')`,
    };
    return loaded;
  }
  // OpenMP workers that sleep when idle instead of spinning: TF.js runs many small kernels with
  // JavaScript in between, and spinning workers cost 10-15% even on large convolutions here (and
  // 3× on small models when other processes share the cores). libgomp reads this when it loads.
  process.env.OMP_WAIT_POLICY ??= 'passive';
  try {
    loaded = { addon: createRequire(import.meta.url)(file) as NativeAddon };
  } catch (err) {
    loaded = { error: `the native addon failed to load (${(err as Error).message.split('\n')[0]})` };
  }
  return loaded;
}
