import { VisionlabError } from '../errors.js';
import type { BuildOptions, ClassifierActivation, InputShape, Pooling } from './types.js';

/** Build options as text, as a command line gives them. */
export interface BuildOptionsText {
  inputShape?: string;
  classes?: string;
  pooling?: string;
  classifierActivation?: string;
  auxiliary?: boolean;
}

/** Parses `280,280,3` (or `280x280x3`); a missing channel count means 3. */
export function parseInputShape(text: string): InputShape {
  const parts = text
    .split(/[,x×\s]+/i)
    .filter(Boolean)
    .map(Number);
  if (parts.length === 2) parts.push(3);
  if (parts.length !== 3 || parts.some((d) => !Number.isInteger(d) || d <= 0)) {
    throw new VisionlabError(
      `Input shape "${text}" is not height,width,channels.`,
      'Write it like 280,280,3.',
    );
  }
  return parts as InputShape;
}

/** Turns command-line text into {@link BuildOptions}, naming the value that is wrong. */
export function parseBuildOptions(text: BuildOptionsText): BuildOptions {
  const options: BuildOptions = {};
  if (text.inputShape) options.inputShape = parseInputShape(text.inputShape);
  if (text.classes !== undefined) {
    const classes = Number(text.classes);
    if (!Number.isInteger(classes) || classes < 0) {
      throw new VisionlabError(
        `--classes ${text.classes} is not a whole number ≥ 0.`,
        'Use 0 for the headless backbone.',
      );
    }
    options.classes = classes;
  }
  if (text.pooling) {
    if (!['avg', 'max', 'none'].includes(text.pooling)) {
      throw new VisionlabError(`--pooling ${text.pooling} is not one of avg, max, none.`);
    }
    options.pooling = text.pooling as Pooling;
  }
  if (text.classifierActivation) {
    const a = text.classifierActivation;
    if (!['softmax', 'sigmoid', 'linear'].includes(a)) {
      throw new VisionlabError(`--classifier-activation ${a} is not one of softmax, sigmoid, linear.`);
    }
    options.classifierActivation = a as ClassifierActivation;
  }
  if (text.auxiliary) options.auxiliaryOutputs = true;
  return options;
}
