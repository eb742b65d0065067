export type * from './types.js';
export { registerModel, getModel, listModels, buildModel, normalizeModelName } from './registry.js';
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
  type TransferModel,
  type TransferModelOptions,
} from './transfer.js';
export { buildResNet50, buildResNet101 } from './resnet.js';
export { buildMobileNetV2, type MobileNetV2Options } from './mobilenet-v2.js';
export {
  buildEfficientNetB0,
  buildEfficientNetB1,
  buildEfficientNetB2,
  buildEfficientNetB3,
  type EfficientNetOptions,
} from './efficientnet.js';
export {
  buildEfficientNetV2B0,
  buildEfficientNetV2B1,
  buildEfficientNetV2B2,
  buildEfficientNetV2B3,
} from './efficientnet-v2.js';
export { buildVgg16, buildVgg19 } from './vgg.js';
export { summary, summarizeModel, formatSummary, formatShape, formatFlops } from './summary.js';
export type { LayerSummary, ModelSummary } from './summary.js';
export { layerFlops } from './flops.js';
export { defineBuilder } from './layer-factory.js';
export { modelToDot, dotToSvg, plotModel, type DiagramOptions } from './diagram.js';
export { modelStats } from './stats.js';
export {
  bestTop1,
  downloadSize,
  formatModelInfo,
  formatModelTable,
  modelInfo,
  pretrainedTags,
  type ModelInfo,
} from './describe.js';
export {
  float32MB,
  kerasApplicationSpecs,
  kerasImagenetWeights,
  type KerasApplicationVariant,
  type KerasFileArgs,
} from './pretrained.js';
export { buildMobileNetV2Nsfwjs, NSFWJS_BACKBONE } from './mobilenet-v2-nsfwjs.js';
export { buildSmallCnn } from './small-cnn.js';
export { buildDenseNet121 } from './densenet.js';
export { buildInceptionV3 } from './inception-v3.js';
export { buildConvNeXt, buildConvNeXtTiny, type ConvNeXtOptions } from './convnext.js';
export { buildVit, buildVitB16, buildVitS16, VIT_ARCHITECTURES, type VitArchitecture } from './vit.js';
