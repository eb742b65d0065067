export { modelGraph, layerWeights, type GraphNode, type ModelGraph, type TensorShape } from './graph-walk.js';
export { exportOnnx, saveOnnx, ONNX_METADATA, type OnnxExportOptions } from './onnx.js';
export { readOnnxMetadata } from './onnx-graph.js';
export { ONNX_LAYERS } from './onnx-layers.js';
export {
  EXPORT_FORMATS,
  exportModel,
  parseExportFormat,
  type ExportFormat,
  type ExportOptions,
} from './formats.js';
export { loadOnnxPredictor, type OnnxPredictor } from './onnx-predictor.js';
export { pytorchCode, savePytorch, type PytorchCode, type PytorchExportOptions } from './pytorch.js';
export { PYTORCH_LAYERS } from './pytorch-layers.js';
export { encodeSafetensors, saveSafetensors, type NamedTensor } from './safetensors.js';
export {
  saveKeras,
  saveKerasH5,
  keras3WeightPaths,
  writeKeras3Weights,
  KERAS3_FORMAT_VERSION,
} from './keras.js';
export { keras3Config } from './keras3-config.js';
/** Keras' `naming.to_snake_case` (the same function as `kerasSnakeCase`). */
export { kerasSnakeCase as toSnakeCase } from '../weights/keras3-paths.js';
export { kerasCode } from './keras-code.js';
export { modelCode, MODEL_CODE_LANGUAGES, type ModelCodeLanguage } from './model-code.js';
export { exportRun } from './export-run.js';
