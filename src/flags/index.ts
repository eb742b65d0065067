export {
  parseNumber,
  parsePositiveNumber,
  parseInteger,
  parsePositiveInt,
  parseNonNegativeInt,
  parseBatchSize,
  parseFraction,
  parseProbability,
  parseThreshold,
  parsePort,
} from './numbers.js';
export { parseInputShape, parseImageSize } from './shape.js';
export { parseChoice, parseEngine } from './choice.js';
export { parseKeyValueList, parseList } from './key-value.js';
export { parseBuildOptions, type BuildOptionsText } from './build-options.js';
export {
  flagsToConfig,
  resolveTrainConfig,
  resolveRunToResume,
  resumeConfig,
  type TrainFlags,
} from './train-flags.js';
