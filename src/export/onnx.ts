import type * as tfl from '@tensorflow/tfjs-layers';
import { packageVersion } from '../train/package-root.js';
import { CAFFE_MEAN_BGR, IMAGENET_MEAN_RGB, IMAGENET_STD_RGB } from '../models/preprocess.js';
import type { PreprocessMode } from '../models/types.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { modelGraph } from './graph-walk.js';
import { convertLayer } from './onnx-layers.js';
import { encodeModel, floatValueInfo, OnnxGraphBuilder, type OnnxValue } from './onnx-graph.js';

export interface OnnxExportOptions {
  /**
   * With a mode, the graph takes 0–255 pixels and applies the model's `preprocessInput` itself;
   * without one it takes the preprocessed tensor, as `model.predict` does.
   */
  preprocessing?: PreprocessMode;
  /** Stored in the file's metadata (`metadata_props`) for whoever runs it, e.g. `visionlab predict`. */
  metadata?: Record<string, string>;
}

/** Metadata keys visionlab writes into an ONNX file. */
export const ONNX_METADATA = {
  /** The preprocessing the graph applies to 0–255 pixels, or `none` when the input is already prepared. */
  preprocessing: 'visionlab.preprocessing',
  /** The activation of the output layer (`linear` means logits). */
  outputActivation: 'visionlab.output_activation',
  /** JSON of a run's input settings (image size, colour mode, class names…). */
  inputConfig: 'visionlab.input_config',
} as const;

/** `preprocessInput(x, mode)` as ONNX nodes on an NHWC tensor of 0–255 values. */
function preprocessNodes(b: OnnxGraphBuilder, x: string, mode: PreprocessMode): string {
  const name = 'preprocess';
  switch (mode) {
    case 'tf':
      return b.op1(
        'Sub',
        [b.op1('Div', [x, b.floats(`${name}/127.5`, [127.5], [])], name), b.floats(`${name}/one`, [1], [])],
        name,
      );
    case 'torch': {
      const unit = b.op1('Div', [x, b.floats(`${name}/255`, [255], [])], name);
      const centered = b.op1('Sub', [unit, b.floats(`${name}/mean`, IMAGENET_MEAN_RGB, [3])], name);
      return b.op1('Div', [centered, b.floats(`${name}/std`, IMAGENET_STD_RGB, [3])], name);
    }
    case 'caffe': {
      const bgr = b.op1('Gather', [x, b.int64s(`${name}/bgr`, [2, 1, 0])], name, { axis: 3 });
      return b.op1('Sub', [bgr, b.floats(`${name}/mean`, CAFFE_MEAN_BGR, [3])], name);
    }
    case 'raw':
      return x;
  }
}

function outputActivation(model: tfl.LayersModel): string {
  const config = model.outputs[0].sourceLayer.getConfig() as { activation?: unknown };
  return typeof config.activation === 'string' ? config.activation : 'linear';
}

/**
 * The model's inference graph (its first output) as an ONNX model of opset 17. The input stays NHWC,
 * as the model was trained (`input`, [batch, h, w, c]); convolutions run on NCHW inside, with the
 * transposes between the two written once per tensor. The output is `output`.
 */
export function exportOnnx(model: tfl.LayersModel, options: OnnxExportOptions = {}): Uint8Array {
  const graph = modelGraph(model, [model.outputs[0]]);
  const b = new OnnxGraphBuilder();
  b.reserve('input');
  b.reserve('output');
  for (const name of graph.shapes.keys()) b.reserve(name);
  const values = new Map<string, OnnxValue>();
  const inputName = graph.inputs[0];
  const inputShape = graph.shapes.get(inputName)!;
  const preprocessed = options.preprocessing ? preprocessNodes(b, 'input', options.preprocessing) : 'input';
  values.set(inputName, { name: preprocessed, shape: inputShape, layout: 'keras' });
  for (const node of graph.nodes) {
    const inputs = node.inputs.map((n) => values.get(n)!);
    const outputs = convertLayer(node, inputs, b, {
      name: (i = 0) => node.outputs[i],
      shape: (i = 0) => graph.shapes.get(node.outputs[i])!,
    });
    outputs.forEach((v, i) => values.set(node.outputs[i], v));
  }
  const last = values.get(graph.outputs[0])!;
  b.op1('Identity', [b.keras(last)], 'output', {}, 'output');
  return encodeModel(
    b,
    {
      name: graph.name,
      inputs: [floatValueInfo('input', inputShape)],
      outputs: [floatValueInfo('output', graph.shapes.get(graph.outputs[0])!)],
    },
    {
      [ONNX_METADATA.preprocessing]: options.preprocessing ?? 'none',
      [ONNX_METADATA.outputActivation]: outputActivation(model),
      ...options.metadata,
    },
    packageVersion(),
  );
}

/** Writes {@link exportOnnx}'s result to `file` (through a temporary name). */
export async function saveOnnx(
  model: tfl.LayersModel,
  file: string,
  options: OnnxExportOptions = {},
): Promise<void> {
  await writeFileAtomic(file, exportOnnx(model, options));
}
