import type * as tfl from '@tensorflow/tfjs-layers';
import { VisionlabError } from '../errors.js';
import type { RunInputConfig } from '../evaluate/run-config.js';
import type { PreprocessMode } from '../models/types.js';
import { ONNX_METADATA, saveOnnx } from './onnx.js';
import { savePytorch } from './pytorch.js';
import { saveKeras, saveKerasH5 } from './keras.js';

/** The formats `exportModel` (and `visionlab export`) writes. */
export const EXPORT_FORMATS = {
  onnx: {
    extension: '.onnx',
    about:
      'ONNX opset 17 for onnxruntime & co: every zoo model (CNNs, GoogLeNet inference graph, DaViT, ViT, transfer heads); NHWC input; --include-preprocessing puts preprocess_input in the graph',
  },
  'keras-h5': {
    extension: '.h5',
    about:
      "Keras 2 save_weights layout (layer_names/weight_names, <layer>/<weight>:0) that Keras' load_weights and visionlab read; every zoo model",
  },
  keras: {
    extension: '.keras',
    about:
      'Keras 3 whole model (config.json + metadata.json + model.weights.h5); models whose layers Keras has (not DaViT, ViT)',
  },
  pytorch: {
    extension: '.py',
    about:
      'PyTorch nn.Module source (one attribute per layer, a readable forward, NCHW input) + trained weights in <name>.safetensors beside it; every zoo model',
  },
} as const;

export type ExportFormat = keyof typeof EXPORT_FORMATS;

export interface ExportOptions {
  /** The model's preprocessing (from its run or zoo entry). */
  preprocessing?: PreprocessMode;
  /** ONNX: apply `preprocessing` inside the graph, so it takes 0–255 pixels. */
  includePreprocessing?: boolean;
  /** The run's input settings, stored in the exported file where the format has room for them. */
  inputConfig?: RunInputConfig;
}

export function parseExportFormat(value: string): ExportFormat {
  if (value in EXPORT_FORMATS) return value as ExportFormat;
  throw new VisionlabError(
    `Unknown export format "${value}".`,
    `Use one of: ${Object.keys(EXPORT_FORMATS).join(', ')}.`,
  );
}

/** Writes `model` to `file` in `format`; returns the files written (some formats write two). */
export async function exportModel(
  model: tfl.LayersModel,
  format: ExportFormat,
  file: string,
  options: ExportOptions = {},
): Promise<string[]> {
  switch (format) {
    case 'onnx': {
      const metadata: Record<string, string> = options.inputConfig
        ? { [ONNX_METADATA.inputConfig]: JSON.stringify(options.inputConfig) }
        : {};
      await saveOnnx(model, file, {
        preprocessing: options.includePreprocessing ? options.preprocessing : undefined,
        metadata,
      });
      return [file];
    }
    case 'keras-h5':
      return saveKerasH5(model, file);
    case 'keras':
      return saveKeras(model, file);
    case 'pytorch':
      return savePytorch(model, file, { preprocessing: options.preprocessing });
  }
}
