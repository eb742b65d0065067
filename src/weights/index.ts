export { readKerasH5 } from './read-keras-h5.js';
export { writeKerasH5, saveWeightsH5, layersOf } from './write-keras-h5.js';
export {
  shortWeightName,
  type H5Layer,
  type H5Weight,
  type KerasH5Contents,
  type KerasH5Layout,
} from './keras-h5-types.js';
export {
  assignH5Layers,
  describeWeightImport,
  loadKerasWeights,
  loadWeightsH5,
  type LoadWeightsOptions,
  type WeightImportReport,
  type WeightShapeMismatch,
} from './load-weights.js';
export { matchLayers, splitNestedGroups, type LayerMatch, type MatchRule } from './match-layers.js';
export { keras3LayerPaths, kerasSnakeCase } from './keras3-paths.js';
export { readKerasArchive, type KerasArchive } from './keras-archive.js';
export { readKerasWeightsFile } from './read-weights-file.js';
export { visionlabHome, cachedWeightsPath } from './cache.js';
export { fileDigest } from './checksum.js';
export { ensurePretrainedFile, type EnsureWeightsOptions } from './download.js';
export {
  knownPretrained,
  PRETRAINED_SOURCES,
  pretrainedSource,
  registerPretrainedSource,
  type ChecksumAlgorithm,
  type PretrainedSource,
} from './sources.js';
export {
  loadNsfwjsMobileNetV2,
  NSFWJS_MOBILENET_V2_ORIGIN,
  NSFWJS_MOBILENET_V2_PREPROCESS_MODE,
} from './nsfwjs-mobilenet-v2.js';
export { loadKerasModel, type KerasModelImport } from './load-keras-model.js';
export { keras3ToTfjsTopology } from './keras3-config.js';
