import { VisionlabError } from '../errors.js';

function refuse(flag: string, text: string, what: string, hint?: string): never {
  throw new VisionlabError(`${flag} "${text}" is not ${what}`, hint);
}

/** A finite number, or an error naming the flag and the value. */
export function parseNumber(flag: string, text: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n)) refuse(flag, text, 'a number');
  return n;
}

/** A number greater than 0 (a learning rate, a resolution). */
export function parsePositiveNumber(flag: string, text: string): number {
  const n = parseNumber(flag, text);
  if (!(n > 0)) refuse(flag, text, 'a number greater than 0');
  return n;
}

/** A whole number of at least `min`. */
export function parseInteger(flag: string, text: string, min: number): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isInteger(n) || n < min) refuse(flag, text, `a whole number ≥ ${min}`);
  return n;
}

/** A whole number ≥ 1 (a count of images, iterations, epochs…). */
export function parsePositiveInt(flag: string, text: string): number {
  return parseInteger(flag, text, 1);
}

/** A whole number ≥ 0 (a seed, a class count where 0 means none). */
export function parseNonNegativeInt(flag: string, text: string): number {
  return parseInteger(flag, text, 0);
}

/** `--batch-size`: images per batch, a whole number ≥ 1, in every command. */
export function parseBatchSize(text: string, flag = '--batch-size'): number {
  return parsePositiveInt(flag, text);
}

/** A fraction held out of a dataset: 0 ≤ f < 1. */
export function parseFraction(flag: string, text: string): number {
  const n = parseNumber(flag, text);
  if (!(n >= 0 && n < 1))
    refuse(flag, text, 'a fraction from 0 up to (not including) 1', `Example: ${flag} 0.2`);
  return n;
}

function probability(text: string): number | undefined {
  const p = Number(text);
  return text.trim() !== '' && p >= 0 && p <= 1 ? p : undefined;
}

/** A probability: 0 ≤ p ≤ 1. */
export function parseProbability(flag: string, text: string): number {
  return probability(text) ?? refuse(flag, text, 'a probability between 0 and 1');
}

/** A decision threshold: a probability, or `auto` for the one the run's evaluation chose. */
export function parseThreshold(text: string, flag = '--threshold'): number | 'auto' {
  if (text === 'auto') return 'auto';
  return probability(text) ?? refuse(flag, text, 'a probability between 0 and 1, or auto');
}

/** A TCP port, 0 (any free one) to 65535. */
export function parsePort(text: string, flag = '--port'): number {
  const port = Number(text);
  if (text.trim() === '' || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new VisionlabError(`${flag} ${text} is not a port number`, 'Use a whole number from 0 to 65535.');
  }
  return port;
}
