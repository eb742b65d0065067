import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * The Keras-written fixtures: `VISIONLAB_KERAS_FIXTURES` if set, else `shared/keras-fixtures` beside the
 * clone (CI) or beside the worktrees' folder. Absent fixtures fail the tests, never skip them.
 */
export function kerasFixturesDir(): string {
  const candidates = [
    process.env.VISIONLAB_KERAS_FIXTURES,
    path.resolve(repoRoot, '../shared/keras-fixtures'),
    path.resolve(repoRoot, '../../shared/keras-fixtures'),
  ].filter((d): d is string => Boolean(d));
  const found = candidates.find((d) => existsSync(path.join(d, 'expected.json')));
  if (!found) {
    throw new Error(
      `Keras fixtures not found (looked in ${candidates.join(', ')}); set VISIONLAB_KERAS_FIXTURES to their folder.`,
    );
  }
  return found;
}

export interface KerasFixture {
  file: (suffix: string) => string;
  input: tf.Tensor;
  output: Float32Array;
  outputShape: number[];
  params: number;
  layersWithWeights: number;
}

interface ExpectedEntry {
  input_shape: number[];
  output_shape: number[];
  params: number;
  layers_with_weights: number;
}

function readF32(file: string): Float32Array {
  const bytes = readFileSync(file);
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

/** A fixture's files, the input Keras was given (a tensor: dispose it) and what Keras computed. */
export function kerasFixture(name: string): KerasFixture {
  const dir = kerasFixturesDir();
  const expected = (
    JSON.parse(readFileSync(path.join(dir, 'expected.json'), 'utf8')) as Record<string, ExpectedEntry>
  )[name];
  const file = (suffix: string): string => path.join(dir, `${name}${suffix}`);
  return {
    file,
    input: tf.tensor(readF32(file('.input.f32')), expected.input_shape),
    output: readF32(file('.output.f32')),
    outputShape: expected.output_shape,
    params: expected.params,
    layersWithWeights: expected.layers_with_weights,
  };
}

/** Largest |actual − expected| relative to the largest |expected|: the fixtures' 1e-4 criterion. */
export function relativeError(actual: tf.Tensor, expected: Float32Array): number {
  const values = actual.dataSync();
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(values[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  if (values.length !== expected.length) return Infinity;
  return diff / scale;
}
