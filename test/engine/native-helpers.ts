// Helpers for comparing the `native` backend with the `cpu` backend on the same inputs.
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { nativeKernelCounts, registerNativeBackend } from '../../src/engine/native/index.js';

const registration = await registerNativeBackend();

/** Why the native comparisons are skipped, or false when the addon is built. */
export const skipNative: string | false = registration.ok
  ? false
  : `native backend unavailable: ${registration.reason}`;

/** The project's seeded generator (mulberry32), so that failing shapes can be reproduced. */
export { createRng as rng } from '../../src/data/random.js';

export function randInt(r: () => number, lo: number, hi: number): number {
  return lo + Math.floor(r() * (hi - lo + 1));
}

export function randomData(r: () => number, shape: number[]): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = r() * 2 - 1;
  return out;
}

type Outputs = tf.Tensor | tf.Tensor[];

/** Runs `fn` on one backend and returns its outputs as plain arrays, leaving no tensors behind. */
export async function runOn(backend: 'cpu' | 'native', fn: () => Outputs): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const before = tf.memory().numTensors;
  const values = tf.tidy(() => {
    const out = fn();
    return (Array.isArray(out) ? out : [out]).map((t) => t.dataSync() as Float32Array);
  });
  assert.equal(tf.memory().numTensors, before, `${backend}: the computation leaked tensors`);
  return values.map((v) => Float32Array.from(v));
}

/** max |a - b| / max |b|: the relative error that the issue bounds by 1e-4. */
export function relativeError(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length, 'outputs differ in size');
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  if (Number.isNaN(diff)) return Infinity;
  return scale === 0 ? diff : diff / scale;
}

/**
 * Asserts that `fn` gives the same outputs on `native` as on `cpu`, within `tolerance`, and that each of
 * `kernels` ran natively (not through its `cpu` fallback).
 */
export async function assertMatchesCpu(
  label: string,
  fn: () => Outputs,
  kernels: string[] = [],
  tolerance = 1e-4,
): Promise<void> {
  const before = kernels.map((k) => nativeKernelCounts.native.get(k) ?? 0);
  const labelled = async (backend: 'cpu' | 'native'): Promise<Float32Array[]> => {
    try {
      return await runOn(backend, fn);
    } catch (err) {
      throw new Error(`${label} on ${backend}: ${(err as Error).message}`, { cause: err });
    }
  };
  const expected = await labelled('cpu');
  const actual = await labelled('native');
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++) {
    const err = relativeError(actual[i], expected[i]);
    assert.ok(
      err <= tolerance,
      `${label} output ${i}: relative error ${err.toExponential(2)} > ${tolerance}`,
    );
  }
  kernels.forEach((k, i) => {
    assert.ok((nativeKernelCounts.native.get(k) ?? 0) > before[i], `${label}: ${k} did not run natively`);
  });
}

/** Kernel names a computation ran on the active backend. */
export async function kernelsRun(fn: () => tf.Tensor): Promise<string[]> {
  const profile = await tf.profile(() => {
    fn().dispose();
  });
  return profile.kernels.map((k) => k.name);
}
