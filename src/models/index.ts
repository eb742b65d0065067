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
  describeFreezing,
  NSFWJS_BACKBONE,
  type TransferModel,
  type TransferModelOptions,
} from './transfer.js';
export { buildResNet50, buildResNet101 } from './resnet.js';
export { buildMobileNetV2 } from './mobilenet-v2.js';
export {
  buildEfficientNetB0,
  buildEfficientNetB1,
  buildEfficientNetB2,
  buildEfficientNetB3,
} from './efficientnet.js';
export { buildVgg16, buildVgg19 } from './vgg.js';
export { Normalization, type NormalizationArgs } from './layers/normalization.js';
export { summary, summarizeModel, formatSummary, formatShape, formatFlops } from './summary.js';
export type { LayerSummary, ModelSummary } from './summary.js';
export { layerFlops } from './flops.js';
export { defineBuilder } from './layer-factory.js';
export { modelToDot, dotToSvg, plotModel, type DiagramOptions } from './diagram.js';
export { modelStats } from './stats.js';
export { parseInputShape, parseBuildOptions, type BuildOptionsText } from './parse-options.js';
export { buildDenseNet121 } from './densenet.js';
export { buildInceptionV3 } from './inception-v3.js';
export { buildConvNeXtTiny } from './convnext.js';
export { LayerScale, type LayerScaleArgs } from './layers/layer-scale.js';
