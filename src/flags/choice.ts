import { VisionlabError } from '../errors.js';
import { INFERENCE_ENGINES, type InferenceEngine } from '../report/predict-run.js';

/** One of a fixed list of words, or an error naming the flag, the value and the choices. */
export function parseChoice<T extends string>(flag: string, text: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(text)) {
    throw new VisionlabError(`${flag} "${text}" is not one of ${choices.join(', ')}`);
  }
  return text as T;
}

/** `--engine`: what runs the model for `predict`. */
export function parseEngine(text: string, flag = '--engine'): InferenceEngine {
  if (!(INFERENCE_ENGINES as readonly string[]).includes(text)) {
    throw new VisionlabError(`Unknown ${flag} "${text}".`, `Use ${INFERENCE_ENGINES.join(' or ')}.`);
  }
  return text as InferenceEngine;
}
