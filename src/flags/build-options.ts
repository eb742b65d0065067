import type { BuildOptions, Pooling } from '../models/types.js';
import { parseChoice } from './choice.js';
import { parseNonNegativeInt } from './numbers.js';
import { parseInputShape } from './shape.js';

/** Build options as text, as a command line gives them. */
export interface BuildOptionsText {
  inputShape?: string;
  classes?: string;
  pooling?: string;
  classifierActivation?: string;
  auxiliary?: boolean;
}

const POOLINGS: readonly Pooling[] = ['avg', 'max', 'none'];
const ACTIVATIONS = ['softmax', 'sigmoid', 'linear'] as const;

/** Turns command-line text into {@link BuildOptions}, naming the flag and value that are wrong. */
export function parseBuildOptions(text: BuildOptionsText): BuildOptions {
  const options: BuildOptions = {};
  if (text.inputShape) options.inputShape = parseInputShape(text.inputShape);
  // 0 classes: the headless backbone.
  if (text.classes !== undefined) options.classes = parseNonNegativeInt('--classes', text.classes);
  if (text.pooling) options.pooling = parseChoice('--pooling', text.pooling, POOLINGS);
  if (text.classifierActivation) {
    options.classifierActivation = parseChoice(
      '--classifier-activation',
      text.classifierActivation,
      ACTIVATIONS,
    );
  }
  if (text.auxiliary) options.auxiliaryOutputs = true;
  return options;
}
