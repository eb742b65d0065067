/**
 * A seeded replacement for `Math.random`. TensorFlow.js draws every random number it needs without an
 * explicit seed (weight initialisers, Dropout, random ops) from `Math.random`, so seeding it is how
 * visionlab makes a run repeatable, like Keras's `set_random_seed`. The state is one 32-bit integer,
 * which checkpoints save so that a resumed run draws the same numbers as an uninterrupted one.
 */
const nativeRandom = Math.random;
let state: number | undefined;

function next(): number {
  state = ((state ?? 0) + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

/** Seeds every random draw TensorFlow.js makes in this process (weight initialisation, Dropout, shuffles). */
export function setRandomSeed(seed: number): void {
  state = seed >>> 0;
  Math.random = next;
}

/** The current random state, or undefined when `Math.random` is not seeded. */
export function getRandomState(): number | undefined {
  return Math.random === next ? state : undefined;
}

/** Restores a state from `getRandomState()`. */
export function setRandomState(value: number | undefined): void {
  if (value === undefined) return;
  state = value >>> 0;
  Math.random = next;
}

/** Gives `Math.random` back its unseeded implementation. */
export function unsetRandomSeed(): void {
  Math.random = nativeRandom;
  state = undefined;
}
