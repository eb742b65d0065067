import { VisionlabError } from '../errors.js';
import { createRng, deriveSeed, shuffleInPlace } from './random.js';

/** Example indices of each part of a split. */
export interface SplitIndices {
  train: Int32Array;
  validation: Int32Array;
  test: Int32Array;
}

export function checkFraction(name: string, value: number): void {
  if (!(value >= 0 && value < 1)) {
    throw new VisionlabError(`${name} must be a fraction in [0, 1), got ${value}.`);
  }
}

/**
 * Keras' `validation_split`: after an optional seeded shuffle of the example order, the last
 * `floor(fraction × n)` examples are validation, the rest training.
 */
export function kerasValidationSplit(
  length: number,
  fraction: number,
  shuffle: boolean,
  seed: number,
): { training: Int32Array; validation: Int32Array } {
  checkFraction('validationSplit', fraction);
  const order = Int32Array.from({ length }, (_, i) => i);
  if (shuffle) shuffleInPlace(order, createRng(deriveSeed(seed, 0x5eed)));
  const numValidation = Math.floor(fraction * length);
  return {
    training: order.slice(0, length - numValidation),
    validation: order.slice(length - numValidation),
  };
}

/**
 * Three-way split stratified by class: each class's examples are shuffled from the seed and cut in
 * the given fractions (rounded per class), so every part keeps the class proportions. The result
 * depends only on (labels, fractions, seed); each part is in ascending example order.
 */
export function stratifiedSplit(
  labels: Int32Array,
  fractions: { validation: number; test: number },
  seed: number,
): SplitIndices {
  checkFraction('validationSplit', fractions.validation);
  checkFraction('testSplit', fractions.test);
  if (fractions.validation + fractions.test >= 1) {
    throw new VisionlabError(
      `validationSplit + testSplit must be below 1, got ${fractions.validation + fractions.test}.`,
      'Leave some examples for training.',
    );
  }
  const byClass = new Map<number, number[]>();
  labels.forEach((label, i) => {
    const list = byClass.get(label) ?? [];
    list.push(i);
    byClass.set(label, list);
  });
  const parts = { train: [] as number[], validation: [] as number[], test: [] as number[] };
  for (const [label, members] of [...byClass.entries()].sort((a, b) => a[0] - b[0])) {
    shuffleInPlace(members, createRng(deriveSeed(seed, label, 0x57a7)));
    const numValidation = Math.round(members.length * fractions.validation);
    const numTest = Math.min(members.length - numValidation, Math.round(members.length * fractions.test));
    parts.validation.push(...members.slice(0, numValidation));
    parts.test.push(...members.slice(numValidation, numValidation + numTest));
    parts.train.push(...members.slice(numValidation + numTest));
  }
  const sorted = (list: number[]) => Int32Array.from(list.sort((a, b) => a - b));
  return { train: sorted(parts.train), validation: sorted(parts.validation), test: sorted(parts.test) };
}
