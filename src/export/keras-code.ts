import type * as tfl from '@tensorflow/tfjs-layers';
import type { PreprocessMode } from '../models/types.js';
import { modelGraph, unsupportedLayer, type GraphNode } from './graph-walk.js';
import { pythonIdentifier, readableVariables } from './python-names.js';

type Json = Record<string, unknown>;

/** A JSON value as a Python literal (lists become tuples, as Keras code writes shapes). */
function pyLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value)) return `(${value.map(pyLiteral).join(', ')}${value.length === 1 ? ',' : ''})`;
  return `{${Object.entries(value as Json)
    .map(([k, v]) => `${JSON.stringify(k)}: ${pyLiteral(v)}`)
    .join(', ')}}`;
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

type Arguments = Array<[string, unknown]>;

const POOLING_ARGUMENTS: Arguments = [
  ['pool_size', undefined],
  ['strides', undefined],
  ['padding', 'valid'],
];
const GLOBAL_POOLING_ARGUMENTS: Arguments = [['keepdims', false]];
const DROPOUT_ARGUMENTS: Arguments = [['rate', undefined]];

/** The arguments a reader needs, with Keras' defaults: an argument equal to its default is left out. */
const ARGUMENTS: Record<string, Arguments> = {
  Conv2D: [
    ['filters', undefined],
    ['kernel_size', undefined],
    ['strides', [1, 1]],
    ['padding', 'valid'],
    ['dilation_rate', [1, 1]],
    ['activation', 'linear'],
    ['use_bias', true],
  ],
  DepthwiseConv2D: [
    ['kernel_size', undefined],
    ['strides', [1, 1]],
    ['padding', 'valid'],
    ['depth_multiplier', 1],
    ['dilation_rate', [1, 1]],
    ['activation', 'linear'],
    ['use_bias', true],
  ],
  Dense: [
    ['units', undefined],
    ['activation', 'linear'],
    ['use_bias', true],
  ],
  BatchNormalization: [
    ['axis', -1],
    ['momentum', 0.99],
    ['epsilon', 0.001],
    ['center', true],
    ['scale', true],
  ],
  LayerNormalization: [
    ['axis', -1],
    ['epsilon', 0.001],
  ],
  MaxPooling2D: POOLING_ARGUMENTS,
  AveragePooling2D: POOLING_ARGUMENTS,
  GlobalAveragePooling2D: GLOBAL_POOLING_ARGUMENTS,
  GlobalMaxPooling2D: GLOBAL_POOLING_ARGUMENTS,
  GlobalAveragePooling1D: GLOBAL_POOLING_ARGUMENTS,
  GlobalMaxPooling1D: GLOBAL_POOLING_ARGUMENTS,
  Flatten: [],
  Dropout: DROPOUT_ARGUMENTS,
  SpatialDropout2D: DROPOUT_ARGUMENTS,
  Activation: [['activation', undefined]],
  ReLU: [
    ['max_value', null],
    ['negative_slope', 0],
    ['threshold', 0],
  ],
  LeakyReLU: [['alpha', 0.3]],
  Softmax: [['axis', -1]],
  Add: [],
  Subtract: [],
  Multiply: [],
  Maximum: [],
  Minimum: [],
  Average: [],
  Concatenate: [['axis', -1]],
  ZeroPadding2D: [['padding', undefined]],
  Cropping2D: [['cropping', undefined]],
  Reshape: [['target_shape', undefined]],
  Permute: [['dims', undefined]],
  Rescaling: [
    ['scale', undefined],
    ['offset', 0],
  ],
  Normalization: [
    ['axis', -1],
    ['mean', null],
    ['variance', null],
  ],
};

/** Our layers as the Keras code that computes the same: `x` is the input expression (or a list of them). */
const OPS: Record<string, (c: Json, x: string[]) => string> = {
  BatchReshape: (c, [x]) => `keras.ops.reshape(${x}, ${pyLiteral([-1, ...(c.target_shape as number[])])})`,
  BatchMatMul: (_, [a, b]) => `keras.ops.matmul(${a}, ${b})`,
  SplitLastAxis: (c, [x]) => `keras.ops.split(${x}, ${Number(c.num_splits)}, axis=-1)`,
  ScaleByConstant: (c, [x]) => `${x} * ${Number(c.scale)}`,
};

function pythonicConfig(model: tfl.LayersModel): Map<string, Json> {
  const json = model.toJSON(null, false) as unknown as {
    config: { layers: Array<{ name: string; config: Json }> };
  };
  return new Map(json.config.layers.map((l) => [l.name, l.config]));
}

function layerCall(node: GraphNode, config: Json, inputs: string[]): string {
  const op = OPS[node.className];
  if (op) return op(config, inputs);
  const cls = node.className === 'LayerNormalizationLastAxis' ? 'LayerNormalization' : node.className;
  const known = ARGUMENTS[cls];
  const args = (known ?? []).flatMap(([key, fallback]) => {
    const value = config[key];
    return value === undefined || same(value, fallback) ? [] : [`${key}=${pyLiteral(value)}`];
  });
  if (cls === 'LayerScale')
    args.push(
      `init_values=${pyLiteral(config.init_values)}`,
      `projection_dim=${pyLiteral(config.projection_dim)}`,
    );
  else if (!known) throw unsupportedLayer(node, 'Keras code');
  args.push(`name=${JSON.stringify(node.layer.name)}`);
  const input = inputs.length === 1 ? inputs[0] : `[${inputs.join(', ')}]`;
  return `${cls === 'LayerScale' ? 'LayerScale' : `layers.${cls}`}(${args.join(', ')})(${input})`;
}

/** Keras 3 functional code that builds the same architecture (no weights: load them from a `.keras`/`.h5` export). */
export function kerasCode(model: tfl.LayersModel, options: { preprocessing?: PreprocessMode } = {}): string {
  const graph = modelGraph(model);
  const configs = pythonicConfig(model);
  const variables = readableVariables(graph);
  const [input] = graph.inputs;
  const shape = graph.shapes.get(input)!.slice(1);
  const lines = [`x = inputs = keras.Input(shape=${pyLiteral(shape)}, name=${JSON.stringify(input)})`];
  for (const node of graph.nodes) {
    const call = layerCall(
      node,
      configs.get(node.layer.name) ?? {},
      node.inputs.map((t) => variables.get(t)!),
    );
    lines.push(`${node.outputs.map((t) => variables.get(t)!).join(', ')} = ${call}`);
  }
  const outputs = graph.outputs.map((t) => variables.get(t)!);
  const fn = `build_${pythonIdentifier(model.name)}`;
  const usesLayerScale = graph.nodes.some((n) => n.className === 'LayerScale');
  return `"""The "${model.name}" model as Keras 3 functional code, written by visionlab.

Input: [batch, ${shape.join(', ')}] (NHWC)${options.preprocessing ? `, after preprocess_input mode "${options.preprocessing}"` : ''}.
Weights: model.load_weights("model.weights.h5") of a visionlab .keras export, or the .h5 export.
"""
import keras
from keras import layers
${usesLayerScale ? 'from keras.src.applications.convnext import LayerScale\n' : ''}

def ${fn}():
${lines.map((l) => `    ${l}`).join('\n')}
    return keras.Model(inputs, ${outputs.length === 1 ? outputs[0] : `[${outputs.join(', ')}]`}, name=${JSON.stringify(model.name)})


model = ${fn}()
`;
}
