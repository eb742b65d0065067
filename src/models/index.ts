export type * from './types.js';
export { registerModel, getModel, listModels, buildModel } from './registry.js';
export {
  preprocessInput,
  PREPROCESS_MODES,
  IMAGENET_MEAN_RGB,
  IMAGENET_STD_RGB,
  CAFFE_MEAN_BGR,
} from './preprocess.js';
export { buildAlexnetMini } from './alexnet-mini.js';
export { buildAlexnet } from './alexnet.js';
export {
  buildGoogLeNet,
  inception,
  googlenetInferenceModel,
  googlenetLosses,
  GOOGLENET_LOSS_WEIGHTS,
  GOOGLENET_MODULES,
  type InceptionFilters,
  type LossFn,
} from './googlenet.js';
export * from './davit/index.js';
export {
  buildTransferModel,
  freezeLayers,
  NSFWJS_BACKBONE,
  type TransferModel,
  type TransferModelOptions,
} from './transfer.js';
