import { VisionlabError } from '../errors.js';
import type { BuildOptions, ClassifierActivation, InputShape, Pooling } from './types.js';

export interface ResolvedOptions {
  inputShape: InputShape;
  classes: number;
  includeTop: boolean;
  classifierActivation: ClassifierActivation;
  pooling: Pooling;
  auxiliaryOutputs: boolean;
  name: string;
}

export interface FamilyDefaults {
  name: string;
  inputShape: InputShape;
  classes?: number;
  classifierActivation?: ClassifierActivation;
  /** Smallest height/width the architecture accepts. */
  minSize?: number;
}

/** Fills in defaults and rejects impossible combinations with a message that says what to change. */
export function resolveOptions(options: BuildOptions, defaults: FamilyDefaults): ResolvedOptions {
  const inputShape = options.inputShape ?? defaults.inputShape;
  if (inputShape.length !== 3 || inputShape.some((d) => !Number.isInteger(d) || d <= 0)) {
    throw new VisionlabError(
      `inputShape ${JSON.stringify(inputShape)} for ${defaults.name} is not [height, width, channels] of positive integers.`,
      `Pass e.g. inputShape: [${defaults.inputShape.join(', ')}].`,
    );
  }
  const minSize = defaults.minSize ?? 1;
  if (inputShape[0] < minSize || inputShape[1] < minSize) {
    throw new VisionlabError(
      `inputShape ${inputShape.join('x')} is too small for ${defaults.name}: height and width must be at least ${minSize}.`,
      `Use an input of at least ${minSize}x${minSize}.`,
    );
  }
  const classes = options.classes ?? defaults.classes ?? 1000;
  if (!Number.isInteger(classes) || classes < 0) {
    throw new VisionlabError(
      `classes=${classes} for ${defaults.name} is not a non-negative integer.`,
      'Use the number of classes, or 0 for the headless backbone.',
    );
  }
  const includeTop = options.includeTop ?? classes > 0;
  if (includeTop && classes === 0) {
    throw new VisionlabError(
      `${defaults.name}: includeTop needs classes > 0.`,
      'Pass the number of classes, or includeTop: false for the backbone.',
    );
  }
  const pooling = options.pooling ?? 'none';
  if (!['avg', 'max', 'none'].includes(pooling)) {
    throw new VisionlabError(`pooling=${String(pooling)} is not one of avg, max, none.`);
  }
  return {
    inputShape,
    classes,
    includeTop,
    classifierActivation:
      options.classifierActivation === undefined
        ? (defaults.classifierActivation ?? 'softmax')
        : options.classifierActivation,
    pooling,
    auxiliaryOutputs: options.auxiliaryOutputs ?? false,
    name: options.name ?? defaults.name,
  };
}
