import type { GraphNode, TensorShape } from './graph-walk.js';
import { gammaBeta, layerWeights, unsupportedLayer } from './graph-walk.js';
import { channelsFirstKernel, NCHW_AXIS_OF_KERAS_AXIS, pair } from './kernel-layout.js';
import { convWindow, poolWindow, windowPads, type KerasWindow } from './kernel-window.js';
import type { Layout, OnnxGraphBuilder, OnnxValue } from './onnx-graph.js';

type Config = Record<string, unknown>;

/** Converts one layer application: reads `inputs`, writes ONNX nodes, returns one value per output. */
type Converter = (node: GraphNode, inputs: OnnxValue[], b: OnnxGraphBuilder, out: OutputNamer) => OnnxValue[];

/** The graph-level name and Keras shape of output `i` of the node being converted. */
export interface OutputNamer {
  name(i?: number): string;
  shape(i?: number): TensorShape;
}

const FORMAT = 'ONNX';

/** ONNX `pads`/`auto_pad` for a Keras window op on an NHWC input. */
function windowPadding(window: KerasWindow, input: TensorShape): Record<string, number[] | string> {
  const pads = windowPads(window, input);
  if (!pads) return { auto_pad: 'SAME_UPPER' };
  const [top, bottom, left, right] = pads;
  return { pads: [top, left, bottom, right] };
}

/** Keras activations that are one ONNX operator without attributes. */
const ONE_OP_ACTIVATIONS = new Map([
  ['relu', 'Relu'],
  ['sigmoid', 'Sigmoid'],
  ['tanh', 'Tanh'],
  ['elu', 'Elu'],
  ['selu', 'Selu'],
  ['softplus', 'Softplus'],
  ['softsign', 'Softsign'],
]);

/** Applies a Keras activation by name to tensor `x` (softmax over the channel axis of `layout`). */
export function applyActivation(
  b: OnnxGraphBuilder,
  node: GraphNode,
  x: string,
  activation: string,
  layout: Layout,
  rank: number,
  output?: string,
): string {
  const name = node.layer.name;
  const unary = (op: string, attrs = {}): string => b.op1(op, [x], name, attrs, output);
  const op = ONE_OP_ACTIVATIONS.get(activation);
  if (op) return unary(op);
  switch (activation) {
    case 'linear':
      return output && output !== x ? b.op1('Identity', [x], name, {}, output) : x;
    case 'hardSigmoid':
      return unary('HardSigmoid', { alpha: { float: 0.2 }, beta: { float: 0.5 } });
    case 'relu6':
      return b.op1(
        'Clip',
        [x, b.floats(`${name}/zero`, [0], []), b.floats(`${name}/six`, [6], [])],
        name,
        {},
        output,
      );
    case 'softmax':
    case 'logSoftmax':
      return unary(activation === 'softmax' ? 'Softmax' : 'LogSoftmax', {
        axis: layout === 'nchw' && rank === 4 ? 1 : -1,
      });
    case 'swish':
      return b.op1('Mul', [x, b.op1('Sigmoid', [x], name)], name, {}, output);
    case 'mish': {
      const t = b.op1('Tanh', [b.op1('Softplus', [x], name)], name);
      return b.op1('Mul', [x, t], name, {}, output);
    }
    case 'gelu': {
      // x · Φ(x) with the exact normal CDF, as TF.js' gelu (ONNX's own Gelu arrives only in opset 20).
      const erf = b.op1('Erf', [b.op1('Div', [x, b.floats(`${name}/sqrt2`, [Math.SQRT2], [])], name)], name);
      const cdf = b.op1('Add', [erf, b.floats(`${name}/one`, [1], [])], name);
      const half = b.op1('Mul', [x, b.floats(`${name}/half`, [0.5], [])], name);
      return b.op1('Mul', [half, cdf], name, {}, output);
    }
    default:
      throw unsupportedLayer(node, FORMAT, `activation "${activation}"`);
  }
}

/** A per-channel constant shaped to broadcast against a tensor of `rank` in `layout`. */
function channelConstant(
  b: OnnxGraphBuilder,
  name: string,
  values: ArrayLike<number>,
  layout: Layout,
  rank: number,
): string {
  const dims = layout === 'nchw' ? [values.length, 1, 1] : [values.length];
  return b.floats(name, values, values.length === 1 && rank > 0 ? [] : dims);
}

const keras = (name: string, shape: TensorShape): OnnxValue => ({ name, shape, layout: 'keras' });
const nchw = (name: string, shape: TensorShape): OnnxValue => ({ name, shape, layout: 'nchw' });

function conv(depthwise: boolean): Converter {
  return (node, [x], b, out) => {
    const c = node.config;
    if (c.dataFormat !== undefined && c.dataFormat !== 'channelsLast')
      throw unsupportedLayer(node, FORMAT, 'channels-first data');
    const w = layerWeights(node.layer);
    const kernel = w.get(depthwise ? 'depthwise_kernel' : 'kernel')!;
    const [kh, kw, cin] = kernel.shape;
    const onnxKernel = channelsFirstKernel(kernel.values, kernel.shape, depthwise);
    const filters = onnxKernel.shape[0];
    const name = node.layer.name;
    const inputs = [b.nchw(x), b.floats(`${name}/kernel`, onnxKernel.values, onnxKernel.shape)];
    const bias = w.get('bias');
    if (bias && c.useBias !== false) inputs.push(b.floats(`${name}/bias`, bias.values, [filters]));
    const window = convWindow(c, [kh, kw]);
    const activation = String(c.activation ?? 'linear');
    const y = b.op1(
      'Conv',
      inputs,
      name,
      {
        kernel_shape: window.kernel,
        strides: window.strides,
        dilations: window.dilation,
        group: depthwise ? cin : 1,
        ...windowPadding(window, x.shape),
      },
      activation === 'linear' ? out.name() : undefined,
    );
    return [nchw(applyActivation(b, node, y, activation, 'nchw', 4, out.name()), out.shape())];
  };
}

function dense(node: GraphNode, [x]: OnnxValue[], b: OnnxGraphBuilder, out: OutputNamer): OnnxValue[] {
  const w = layerWeights(node.layer);
  const kernel = w.get('kernel')!;
  const name = node.layer.name;
  const activation = String(node.config.activation ?? 'linear');
  let y = b.op1('MatMul', [b.keras(x), b.floats(`${name}/kernel`, kernel.values, kernel.shape)], name);
  const bias = w.get('bias');
  if (bias)
    y = b.op1(
      'Add',
      [y, b.floats(`${name}/bias`, bias.values, bias.shape)],
      name,
      {},
      activation === 'linear' ? out.name() : undefined,
    );
  else if (activation === 'linear') y = b.op1('Identity', [y], name, {}, out.name());
  const shape = out.shape();
  return [keras(applyActivation(b, node, y, activation, 'keras', shape.length, out.name()), shape)];
}

function batchNorm(node: GraphNode, [x]: OnnxValue[], b: OnnxGraphBuilder, out: OutputNamer): OnnxValue[] {
  const c = node.config;
  const rank = x.shape.length;
  const axis = Array.isArray(c.axis) ? (c.axis as number[])[0] : (c.axis as number);
  if (axis !== -1 && axis !== rank - 1) throw unsupportedLayer(node, FORMAT, `axis ${axis}`);
  const w = layerWeights(node.layer);
  const mean = w.get('moving_mean')!.values;
  const variance = w.get('moving_variance')!.values;
  const channels = mean.length;
  const { gamma, beta } = gammaBeta(node.layer, channels);
  const name = node.layer.name;
  const epsilon = Number(c.epsilon ?? 1e-3);
  if (rank === 4 || rank === 2) {
    const layout: Layout = rank === 4 ? 'nchw' : 'keras';
    const y = b.op1(
      'BatchNormalization',
      [
        b.as(x, layout),
        b.floats(`${name}/gamma`, gamma, [channels]),
        b.floats(`${name}/beta`, beta, [channels]),
        b.floats(`${name}/moving_mean`, mean, [channels]),
        b.floats(`${name}/moving_variance`, variance, [channels]),
      ],
      name,
      { epsilon: { float: epsilon } },
      out.name(),
    );
    return [{ name: y, shape: x.shape, layout }];
  }
  const scale = gamma.map((g, i) => g / Math.sqrt(variance[i] + epsilon));
  const shift = beta.map((bt, i) => bt - mean[i] * scale[i]);
  const y = b.op1('Mul', [b.keras(x), b.floats(`${name}/scale`, scale, [channels])], name);
  return [
    keras(b.op1('Add', [y, b.floats(`${name}/shift`, shift, [channels])], name, {}, out.name()), x.shape),
  ];
}

function pooling(op: 'MaxPool' | 'AveragePool'): Converter {
  return (node, [x], b, out) => {
    const window = poolWindow(node.config);
    const y = b.op1(
      op,
      [b.nchw(x)],
      node.layer.name,
      { kernel_shape: window.kernel, strides: window.strides, ...windowPadding(window, x.shape) },
      out.name(),
    );
    return [nchw(y, out.shape())];
  };
}

function globalPooling(op: 'ReduceMean' | 'ReduceMax'): Converter {
  return (node, [x], b, out) => {
    const keepdims = node.config.keepDims === true ? 1 : 0;
    const axes = x.layout === 'nchw' ? [2, 3] : [1, 2];
    const y = b.op1(op, [x.name], node.layer.name, { axes, keepdims }, out.name());
    return [{ name: y, shape: out.shape(), layout: keepdims ? x.layout : 'keras' }];
  };
}

function elementwise(op: string): Converter {
  return (node, inputs, b, out) => {
    const layout: Layout =
      inputs.every((v) => v.shape.length === 4) && inputs.some((v) => v.layout === 'nchw') ? 'nchw' : 'keras';
    const names = inputs.map((v) => b.as(v, layout));
    const name = node.layer.name;
    let y = names[0];
    for (let i = 1; i < names.length; i++)
      y = b.op1(
        op,
        [y, names[i]],
        name,
        {},
        i === names.length - 1 && op !== 'Average' ? out.name() : undefined,
      );
    if (op === 'Average')
      y = b.op1('Div', [y, b.floats(`${name}/count`, [names.length], [])], name, {}, out.name());
    return [{ name: y, shape: out.shape(), layout }];
  };
}

function zeroPadding(crop: boolean): Converter {
  return (node, [x], b, out) => {
    const raw = (crop ? node.config.cropping : node.config.padding) as number | number[] | number[][];
    const [[top, bottom], [left, right]] = Array.isArray(raw)
      ? ((raw as unknown[]).map((r) => pair(r)) as [[number, number], [number, number]])
      : [pair(raw), pair(raw)];
    const name = node.layer.name;
    const [hAxis, wAxis] = x.layout === 'nchw' ? [2, 3] : [1, 2];
    if (!crop) {
      const pads = [0, 0, 0, 0, 0, 0, 0, 0];
      pads[hAxis] = top;
      pads[wAxis] = left;
      pads[4 + hAxis] = bottom;
      pads[4 + wAxis] = right;
      return [
        {
          name: b.op1(
            'Pad',
            [x.name, b.int64s(`${name}/pads`, pads)],
            name,
            { mode: 'constant' },
            out.name(),
          ),
          shape: out.shape(),
          layout: x.layout,
        },
      ];
    }
    const [h, w] = [x.shape[1] as number, x.shape[2] as number];
    const y = b.op1(
      'Slice',
      [
        x.name,
        b.int64s(`${name}/starts`, [top, left]),
        b.int64s(`${name}/ends`, [h - bottom, w - right]),
        b.int64s(`${name}/axes`, [hAxis, wAxis]),
      ],
      name,
      {},
      out.name(),
    );
    return [{ name: y, shape: out.shape(), layout: x.layout }];
  };
}

function concatenate(
  node: GraphNode,
  inputs: OnnxValue[],
  b: OnnxGraphBuilder,
  out: OutputNamer,
): OnnxValue[] {
  const rank = inputs[0].shape.length;
  let axis = Number(node.config.axis ?? -1);
  if (axis < 0) axis += rank;
  const layout: Layout = rank === 4 && inputs.some((v) => v.layout === 'nchw') ? 'nchw' : 'keras';
  const onnxAxis = layout === 'nchw' ? NCHW_AXIS_OF_KERAS_AXIS[axis] : axis;
  const y = b.op1(
    'Concat',
    inputs.map((v) => b.as(v, layout)),
    node.layer.name,
    { axis: onnxAxis },
    out.name(),
  );
  return [{ name: y, shape: out.shape(), layout }];
}

function reshape(keepBatch: boolean): Converter {
  return (node, [x], b, out) => {
    const target = node.config.targetShape as number[];
    const shape = b.int64s(`${node.layer.name}/shape`, [keepBatch ? 0 : -1, ...target]);
    return [keras(b.op1('Reshape', [b.keras(x), shape], node.layer.name, {}, out.name()), out.shape())];
  };
}

function layerNorm(node: GraphNode, [x]: OnnxValue[], b: OnnxGraphBuilder, out: OutputNamer): OnnxValue[] {
  const rank = x.shape.length;
  const axes = node.config.axis === undefined ? [-1] : ([] as number[]).concat(node.config.axis as number[]);
  if (axes.length !== 1 || (axes[0] !== -1 && axes[0] !== rank - 1))
    throw unsupportedLayer(node, FORMAT, `axis ${JSON.stringify(node.config.axis)}`);
  const name = node.layer.name;
  const channels = x.shape[rank - 1] as number;
  const { gamma, beta } = gammaBeta(node.layer, channels);
  const y = b.op1(
    'LayerNormalization',
    [b.keras(x), b.floats(`${name}/gamma`, gamma, [channels]), b.floats(`${name}/beta`, beta, [channels])],
    name,
    { axis: -1, epsilon: { float: Number(node.config.epsilon ?? 1e-3) } },
    out.name(),
  );
  return [keras(y, x.shape)];
}

/** `x * scale + offset` with scalars or per-channel values (Rescaling, Normalization, LayerScale). */
function affine(
  b: OnnxGraphBuilder,
  node: GraphNode,
  x: OnnxValue,
  scale: ArrayLike<number> | null,
  offset: ArrayLike<number> | null,
  out: string,
): OnnxValue {
  const name = node.layer.name;
  const rank = x.shape.length;
  const trivial = (v: ArrayLike<number> | null, neutral: number): boolean =>
    !v || Array.from(v).every((e) => e === neutral);
  if (trivial(scale, 1)) scale = null;
  if (trivial(offset, 0)) offset = null;
  let y = x.name;
  if (scale)
    y = b.op1(
      'Mul',
      [y, channelConstant(b, `${name}/scale`, scale, x.layout, rank)],
      name,
      {},
      offset ? undefined : out,
    );
  if (offset)
    y = b.op1('Add', [y, channelConstant(b, `${name}/offset`, offset, x.layout, rank)], name, {}, out);
  if (!scale && !offset) y = b.op1('Identity', [y], name, {}, out);
  return { ...x, name: y };
}

const list = (v: unknown): number[] => ([] as number[]).concat(v as number | number[]);

/** ViT's class token: a learned [1, 1, c] row put in front of the tokens of every example. */
function classToken(node: GraphNode, [x]: OnnxValue[], b: OnnxGraphBuilder, out: OutputNamer): OnnxValue[] {
  const name = node.layer.name;
  const tokens = layerWeights(node.layer).get('tokens')!;
  const channels = tokens.shape[2];
  const batch = b.op1(
    'Slice',
    [b.op1('Shape', [x.name], name), b.int64s(`${name}/zero`, [0]), b.int64s(`${name}/one`, [1])],
    name,
  );
  const shape = b.op1('Concat', [batch, b.int64s(`${name}/row`, [1, channels])], name, { axis: 0 });
  const expanded = b.op1('Expand', [b.floats(`${name}/tokens`, tokens.values, tokens.shape), shape], name);
  return [keras(b.op1('Concat', [expanded, b.keras(x)], name, { axis: 1 }, out.name()), out.shape())];
}

const CONVERTERS: Record<string, Converter> = {
  Conv2D: conv(false),
  DepthwiseConv2D: conv(true),
  Dense: dense,
  BatchNormalization: batchNorm,
  MaxPooling2D: pooling('MaxPool'),
  AveragePooling2D: pooling('AveragePool'),
  GlobalAveragePooling2D: globalPooling('ReduceMean'),
  GlobalMaxPooling2D: globalPooling('ReduceMax'),
  GlobalAveragePooling1D: (n, [x], b, o) => [
    keras(b.op1('ReduceMean', [b.keras(x)], n.layer.name, { axes: [1], keepdims: 0 }, o.name()), o.shape()),
  ],
  GlobalMaxPooling1D: (n, [x], b, o) => [
    keras(b.op1('ReduceMax', [b.keras(x)], n.layer.name, { axes: [1], keepdims: 0 }, o.name()), o.shape()),
  ],
  ClassToken: classToken,
  FirstToken: (n, [x], b, o) => [
    keras(
      b.op1(
        'Gather',
        [b.keras(x), b.int64s(`${n.layer.name}/first`, [0], [])],
        n.layer.name,
        { axis: 1 },
        o.name(),
      ),
      o.shape(),
    ),
  ],
  PositionalEmbedding: (n, [x], b, o) => {
    const e = layerWeights(n.layer).get('positional_embedding')!;
    return [
      keras(
        b.op1(
          'Add',
          [b.keras(x), b.floats(`${n.layer.name}/embedding`, e.values, e.shape)],
          n.layer.name,
          {},
          o.name(),
        ),
        o.shape(),
      ),
    ];
  },
  Add: elementwise('Add'),
  Multiply: elementwise('Mul'),
  Subtract: elementwise('Sub'),
  Maximum: elementwise('Max'),
  Minimum: elementwise('Min'),
  Average: elementwise('Average'),
  Concatenate: concatenate,
  ZeroPadding2D: zeroPadding(false),
  Cropping2D: zeroPadding(true),
  Flatten: (n, [x], b, o) => [
    keras(b.op1('Flatten', [b.keras(x)], n.layer.name, { axis: 1 }, o.name()), o.shape()),
  ],
  Reshape: reshape(true),
  BatchReshape: reshape(false),
  Permute: (n, [x], b, o) => [
    keras(
      b.op1('Transpose', [b.keras(x)], n.layer.name, { perm: [0, ...(n.config.dims as number[])] }, o.name()),
      o.shape(),
    ),
  ],
  Dropout: (n, [x], b, o) => [{ ...x, name: b.op1('Identity', [x.name], n.layer.name, {}, o.name()) }],
  SpatialDropout2D: (n, [x], b, o) => [
    { ...x, name: b.op1('Identity', [x.name], n.layer.name, {}, o.name()) },
  ],
  Activation: (n, [x], b, o) => [
    {
      ...x,
      name: applyActivation(b, n, x.name, String(n.config.activation), x.layout, x.shape.length, o.name()),
    },
  ],
  ReLU: (n, [x], b, o) => {
    const { maxValue, negativeSlope, threshold } = n.config as Config;
    if ((negativeSlope ?? 0) !== 0 || (threshold ?? 0) !== 0)
      throw unsupportedLayer(n, FORMAT, 'negative slope or threshold');
    if (maxValue == null) return [{ ...x, name: b.op1('Relu', [x.name], n.layer.name, {}, o.name()) }];
    const args = [
      x.name,
      b.floats(`${n.layer.name}/min`, [0], []),
      b.floats(`${n.layer.name}/max`, [Number(maxValue)], []),
    ];
    return [{ ...x, name: b.op1('Clip', args, n.layer.name, {}, o.name()) }];
  },
  LeakyReLU: (n, [x], b, o) => [
    {
      ...x,
      name: b.op1(
        'LeakyRelu',
        [x.name],
        n.layer.name,
        { alpha: { float: Number(n.config.alpha ?? 0.3) } },
        o.name(),
      ),
    },
  ],
  Softmax: (n, [x], b, o) => {
    const axis = list(n.config.axis ?? -1);
    if (axis.length !== 1 || (axis[0] !== -1 && axis[0] !== x.shape.length - 1))
      throw unsupportedLayer(n, FORMAT, `axis ${JSON.stringify(n.config.axis)}`);
    return [keras(b.op1('Softmax', [b.keras(x)], n.layer.name, { axis: -1 }, o.name()), x.shape)];
  },
  LayerNormalization: layerNorm,
  LayerNormalizationLastAxis: layerNorm,
  Rescaling: (n, [x], b, o) => [
    affine(b, n, x, list(n.config.scale ?? 1), list(n.config.offset ?? 0), o.name()),
  ],
  Normalization: (n, [x], b, o) => {
    const w = layerWeights(n.layer);
    const c = n.config as { mean?: number[] | null; variance?: number[] | null };
    const mean = c.mean ?? Array.from(w.get('mean')!.values);
    const variance = c.variance ?? Array.from(w.get('variance')!.values);
    const inv = variance.map((v) => 1 / Math.max(Math.sqrt(v), 1e-7));
    return [
      affine(
        b,
        n,
        x,
        inv,
        mean.map((m, i) => -m * inv[i]),
        o.name(),
      ),
    ];
  },
  LayerScale: (n, [x], b, o) => [affine(b, n, x, layerWeights(n.layer).get('gamma')!.values, null, o.name())],
  ScaleByConstant: (n, [x], b, o) => [affine(b, n, x, [Number(n.config.scale)], null, o.name())],
  BatchMatMul: (n, [a, c], b, o) => [
    keras(b.op1('MatMul', [b.keras(a), b.keras(c)], n.layer.name, {}, o.name()), o.shape()),
  ],
  SplitLastAxis: (n, [x], b, o) => {
    const parts = Number(n.config.numSplits);
    const outs = b.op({
      opType: 'Split',
      inputs: [b.keras(x)],
      outputs: Array.from({ length: parts }, (_, i) => o.name(i)),
      name: n.layer.name,
      attributes: { axis: -1 },
    });
    return outs.map((name, i) => keras(name, o.shape(i)));
  },
};

/** The layer classes the ONNX exporter writes. */
export const ONNX_LAYERS: readonly string[] = Object.keys(CONVERTERS).sort();

export function convertLayer(
  node: GraphNode,
  inputs: OnnxValue[],
  b: OnnxGraphBuilder,
  out: OutputNamer,
): OnnxValue[] {
  const converter = CONVERTERS[node.className];
  if (!converter) throw unsupportedLayer(node, FORMAT);
  return converter(node, inputs, b, out);
}
