import type { GraphNode, TensorShape } from './graph-walk.js';
import { gammaBeta, layerWeights, unsupportedLayer } from './graph-walk.js';
import {
  channelsFirstKernel,
  NCHW_AXIS_OF_KERAS_AXIS,
  pair,
  transposedMatrix,
  type Layout,
} from './kernel-layout.js';
import { convWindow, poolWindow, windowPads, type KerasWindow } from './kernel-window.js';

const FORMAT = 'PyTorch';

/** A tensor of the generated `forward`: a Python expression (a variable name), its Keras shape, its layout. */
export interface TorchValue {
  expr: string;
  shape: TensorShape;
  layout: Layout;
}

/** What one layer becomes in `forward`: the right-hand side of its line, and how many names it assigns. */
export interface TorchStatement {
  expr: string;
  layout: Layout;
  outputs?: number;
  comment?: string;
}

/** Where emitters declare submodules, buffers and state-dict entries. */
export interface TorchModuleWriter {
  /** Declares `self.<attr> = <constructor>` for the node's layer (once per layer); returns `self.<attr>`. */
  submodule(node: GraphNode, constructor: string): string;
  /** The attribute name of the node's layer, e.g. `conv2d_1`. */
  attr(node: GraphNode): string;
  /** A constant tensor `self.<attr>` (a non-persistent buffer), for preprocessing-like constants. */
  constant(node: GraphNode, suffix: string, values: ArrayLike<number>, view: number[]): string;
  /** A state-dict entry; `values` is only called when weights are written. */
  tensor(key: string, shape: number[], values: () => Float32Array | BigInt64Array): void;
}

type Emitter = (node: GraphNode, inputs: TorchValue[], w: TorchModuleWriter) => TorchStatement;

/** Python literal of a number. */
export const py = (v: number): string => String(v);
const tuple = (v: readonly number[]): string => `(${v.join(', ')}${v.length === 1 ? ',' : ''})`;

export const toKeras = (v: TorchValue): string =>
  v.layout === 'keras' ? v.expr : `${v.expr}.permute(0, 2, 3, 1)`;
export const toNchw = (v: TorchValue): string => {
  if (v.layout === 'nchw') return v.expr;
  if (v.shape.length !== 4) throw new Error(`${v.expr} is not a 4-D tensor`);
  return `${v.expr}.permute(0, 3, 1, 2)`;
};
const inLayout = (v: TorchValue, layout: Layout): string => (layout === 'nchw' ? toNchw(v) : toKeras(v));

/** A Keras activation applied to expression `x` (softmax over the channel axis of `layout`). */
export function activationExpr(
  node: GraphNode,
  x: string,
  activation: string,
  layout: Layout,
  rank: number,
): string {
  const channelDim = layout === 'nchw' && rank === 4 ? 1 : -1;
  switch (activation) {
    case 'linear':
      return x;
    case 'relu':
      return `F.relu(${x})`;
    case 'relu6':
      return `F.relu6(${x})`;
    case 'sigmoid':
      return `torch.sigmoid(${x})`;
    case 'tanh':
      return `torch.tanh(${x})`;
    case 'elu':
      return `F.elu(${x})`;
    case 'selu':
      return `F.selu(${x})`;
    case 'softplus':
      return `F.softplus(${x})`;
    case 'softsign':
      return `F.softsign(${x})`;
    case 'swish':
      return `F.silu(${x})`;
    case 'mish':
      return `F.mish(${x})`;
    case 'gelu':
      return `F.gelu(${x})`;
    case 'hardSigmoid':
      return `torch.clamp(0.2 * ${x} + 0.5, 0, 1)`;
    case 'softmax':
      return `F.softmax(${x}, dim=${channelDim})`;
    case 'logSoftmax':
      return `F.log_softmax(${x}, dim=${channelDim})`;
    default:
      throw unsupportedLayer(node, FORMAT, `activation "${activation}"`);
  }
}

/** 'same' padding as PyTorch wants it: symmetric goes into the layer, the TF odd pixel into an F.pad. */
function torchPadding(
  window: KerasWindow,
  input: TensorShape,
): { symmetric: [number, number]; pad?: [number, number, number, number] } {
  const pads = windowPads(window, input);
  if (!pads) throw new Error('same padding needs a known input size');
  const [top, bottom, left, right] = pads;
  if (top === bottom && left === right) return { symmetric: [top, left] };
  return { symmetric: [0, 0], pad: [left, right, top, bottom] };
}

const sameComment =
  "TF's 'same' puts the odd padding pixel after (right/bottom); PyTorch pads both sides alike";

function conv(node: GraphNode, [x]: TorchValue[], w: TorchModuleWriter, depthwise: boolean): TorchStatement {
  const c = node.config;
  if (c.dataFormat !== undefined && c.dataFormat !== 'channelsLast')
    throw unsupportedLayer(node, FORMAT, 'channels-first data');
  const weights = layerWeights(node.layer);
  const kernel = weights.get(depthwise ? 'depthwise_kernel' : 'kernel')!;
  const [kh, kw, cin, cout] = kernel.shape;
  const filters = depthwise ? cin * cout : cout;
  const window = convWindow(c, [kh, kw]);
  const { strides, dilation } = window;
  const pads = torchPadding(window, x.shape);
  const bias = c.useBias !== false && weights.has('bias');
  const args = [
    `${cin}, ${filters}`,
    `kernel_size=${tuple([kh, kw])}`,
    strides[0] !== 1 || strides[1] !== 1 ? `stride=${tuple(strides)}` : '',
    pads.symmetric[0] || pads.symmetric[1] ? `padding=${tuple(pads.symmetric)}` : '',
    dilation[0] !== 1 || dilation[1] !== 1 ? `dilation=${tuple(dilation)}` : '',
    depthwise ? `groups=${cin}` : '',
    bias ? '' : 'bias=False',
  ].filter(Boolean);
  const self = w.submodule(node, `nn.Conv2d(${args.join(', ')})`);
  const attr = w.attr(node);
  w.tensor(
    `${attr}.weight`,
    channelsFirstKernel(kernel.values, kernel.shape, depthwise).shape,
    () => channelsFirstKernel(kernel.values, kernel.shape, depthwise).values,
  );
  if (bias) w.tensor(`${attr}.bias`, [filters], () => weights.get('bias')!.values);
  const input = pads.pad ? `F.pad(${toNchw(x)}, ${tuple(pads.pad)})` : toNchw(x);
  return {
    expr: activationExpr(node, `${self}(${input})`, String(c.activation ?? 'linear'), 'nchw', 4),
    layout: 'nchw',
    comment: pads.pad ? sameComment : undefined,
  };
}

function dense(node: GraphNode, [x]: TorchValue[], w: TorchModuleWriter): TorchStatement {
  const weights = layerWeights(node.layer);
  const kernel = weights.get('kernel')!;
  const bias = weights.has('bias');
  const self = w.submodule(
    node,
    `nn.Linear(${kernel.shape[0]}, ${kernel.shape[1]}${bias ? '' : ', bias=False'})`,
  );
  const attr = w.attr(node);
  w.tensor(
    `${attr}.weight`,
    [kernel.shape[1], kernel.shape[0]],
    () => transposedMatrix(kernel.values, kernel.shape).values,
  );
  if (bias) w.tensor(`${attr}.bias`, [kernel.shape[1]], () => weights.get('bias')!.values);
  return {
    expr: activationExpr(
      node,
      `${self}(${toKeras(x)})`,
      String(node.config.activation ?? 'linear'),
      'keras',
      x.shape.length,
    ),
    layout: 'keras',
  };
}

function batchNorm(node: GraphNode, [x]: TorchValue[], w: TorchModuleWriter): TorchStatement {
  const c = node.config;
  const rank = x.shape.length;
  const axis = Array.isArray(c.axis) ? (c.axis as number[])[0] : Number(c.axis ?? -1);
  if ((axis !== -1 && axis !== rank - 1) || (rank !== 4 && rank !== 2))
    throw unsupportedLayer(node, FORMAT, `axis ${axis} of a rank-${rank} tensor`);
  const weights = layerWeights(node.layer);
  const channels = weights.get('moving_mean')!.shape[0];
  const eps = Number(c.epsilon ?? 1e-3);
  // Keras' momentum weighs the old statistics; PyTorch's weighs the new batch.
  const momentum = 1 - Number(c.momentum ?? 0.99);
  const self = w.submodule(
    node,
    `nn.BatchNorm${rank === 4 ? '2d' : '1d'}(${channels}, eps=${py(eps)}, momentum=${py(Number(momentum.toPrecision(6)))})`,
  );
  const attr = w.attr(node);
  w.tensor(`${attr}.weight`, [channels], () => gammaBeta(node.layer, channels).gamma);
  w.tensor(`${attr}.bias`, [channels], () => gammaBeta(node.layer, channels).beta);
  w.tensor(`${attr}.running_mean`, [channels], () => weights.get('moving_mean')!.values);
  w.tensor(`${attr}.running_var`, [channels], () => weights.get('moving_variance')!.values);
  w.tensor(`${attr}.num_batches_tracked`, [], () => new BigInt64Array(1));
  return { expr: `${self}(${rank === 4 ? toNchw(x) : x.expr})`, layout: rank === 4 ? 'nchw' : 'keras' };
}

function pooling(
  node: GraphNode,
  [x]: TorchValue[],
  w: TorchModuleWriter,
  kind: 'max' | 'avg',
): TorchStatement {
  const window = poolWindow(node.config);
  const { kernel, strides } = window;
  const pads = torchPadding(window, x.shape);
  if (pads.pad && kind === 'avg')
    throw unsupportedLayer(node, FORMAT, "uneven 'same' padding of an average pool");
  const padded = pads.symmetric[0] || pads.symmetric[1];
  const args = [
    `kernel_size=${tuple(kernel)}`,
    `stride=${tuple(strides)}`,
    padded ? `padding=${tuple(pads.symmetric)}` : '',
    // TF's 'same' average leaves the padding out of the count.
    padded && kind === 'avg' ? 'count_include_pad=False' : '',
  ].filter(Boolean);
  const self = w.submodule(node, `nn.${kind === 'max' ? 'MaxPool2d' : 'AvgPool2d'}(${args.join(', ')})`);
  const input = pads.pad ? `F.pad(${toNchw(x)}, ${tuple(pads.pad)}, value=float("-inf"))` : toNchw(x);
  return { expr: `${self}(${input})`, layout: 'nchw', comment: pads.pad ? sameComment : undefined };
}

function globalPooling(node: GraphNode, [x]: TorchValue[], op: 'mean' | 'amax'): TorchStatement {
  const keep = node.config.keepDims === true;
  const dims = x.layout === 'nchw' ? '(2, 3)' : '(1, 2)';
  return {
    expr: `${x.expr}.${op}(dim=${dims}${keep ? ', keepdim=True' : ''})`,
    layout: keep ? x.layout : 'keras',
  };
}

function elementwise(inputs: TorchValue[], op: string): TorchStatement {
  const layout: Layout =
    inputs.every((v) => v.shape.length === 4) && inputs.some((v) => v.layout === 'nchw') ? 'nchw' : 'keras';
  const terms = inputs.map((v) => inLayout(v, layout));
  if (op === 'max' || op === 'min')
    return { expr: terms.reduce((a, b) => `torch.${op}imum(${a}, ${b})`), layout };
  if (op === 'avg') return { expr: `(${terms.join(' + ')}) / ${terms.length}`, layout };
  return { expr: terms.join(` ${op} `), layout };
}

function padOrCrop(node: GraphNode, [x]: TorchValue[], w: TorchModuleWriter, crop: boolean): TorchStatement {
  const raw = (crop ? node.config.cropping : node.config.padding) as number | number[] | number[][];
  const [[top, bottom], [left, right]] = Array.isArray(raw)
    ? ((raw as unknown[]).map((r) => pair(r)) as [[number, number], [number, number]])
    : [pair(raw), pair(raw)];
  if (!crop) {
    if (x.layout === 'nchw' || x.shape.length === 4) {
      const self = w.submodule(node, `nn.ZeroPad2d(${tuple([left, right, top, bottom])})`);
      return { expr: `${self}(${toNchw(x)})`, layout: 'nchw' };
    }
  }
  const [h, wd] = [x.shape[1] as number, x.shape[2] as number];
  const rows = `${top}:${h - bottom}`;
  const cols = `${left}:${wd - right}`;
  return x.layout === 'nchw'
    ? { expr: `${x.expr}[:, :, ${rows}, ${cols}]`, layout: 'nchw' }
    : { expr: `${x.expr}[:, ${rows}, ${cols}, :]`, layout: 'keras' };
}

function concatenate(node: GraphNode, inputs: TorchValue[]): TorchStatement {
  const rank = inputs[0].shape.length;
  let axis = Number(node.config.axis ?? -1);
  if (axis < 0) axis += rank;
  const layout: Layout = rank === 4 && inputs.some((v) => v.layout === 'nchw') ? 'nchw' : 'keras';
  const dim = layout === 'nchw' ? NCHW_AXIS_OF_KERAS_AXIS[axis] : axis;
  return { expr: `torch.cat([${inputs.map((v) => inLayout(v, layout)).join(', ')}], dim=${dim})`, layout };
}

function layerNorm(node: GraphNode, [x]: TorchValue[], w: TorchModuleWriter): TorchStatement {
  const rank = x.shape.length;
  const axes = node.config.axis === undefined ? [-1] : ([] as number[]).concat(node.config.axis as number[]);
  if (axes.length !== 1 || (axes[0] !== -1 && axes[0] !== rank - 1))
    throw unsupportedLayer(node, FORMAT, `axis ${JSON.stringify(node.config.axis)}`);
  const channels = x.shape[rank - 1] as number;
  const self = w.submodule(node, `nn.LayerNorm(${channels}, eps=${py(Number(node.config.epsilon ?? 1e-3))})`);
  const attr = w.attr(node);
  w.tensor(`${attr}.weight`, [channels], () => gammaBeta(node.layer, channels).gamma);
  w.tensor(`${attr}.bias`, [channels], () => gammaBeta(node.layer, channels).beta);
  return { expr: `${self}(${toKeras(x)})`, layout: 'keras' };
}

/** `x * scale + offset` with numbers or per-channel constants. */
function affine(
  node: GraphNode,
  x: TorchValue,
  w: TorchModuleWriter,
  scale: ArrayLike<number>,
  offset: ArrayLike<number>,
): TorchStatement {
  const view = x.layout === 'nchw' ? [1, -1, 1, 1] : [-1];
  const term = (values: ArrayLike<number>, suffix: string, neutral: number): string | null => {
    if (Array.from(values).every((v) => v === neutral)) return null;
    if (values.length === 1) return py(values[0]);
    return w.constant(node, suffix, values, view);
  };
  const s = term(scale, 'scale', 1);
  const o = term(offset, 'offset', 0);
  let expr = x.expr;
  if (s) expr = `${expr} * ${s}`;
  if (o) expr = `${expr} + ${o}`;
  return { expr, layout: x.layout };
}

const list = (v: unknown): number[] => ([] as number[]).concat(v as number | number[]);
const same = (x: TorchValue, expr: string): TorchStatement => ({ expr, layout: x.layout });

const EMITTERS: Record<string, Emitter> = {
  Conv2D: (n, i, w) => conv(n, i, w, false),
  DepthwiseConv2D: (n, i, w) => conv(n, i, w, true),
  Dense: dense,
  BatchNormalization: batchNorm,
  MaxPooling2D: (n, i, w) => pooling(n, i, w, 'max'),
  AveragePooling2D: (n, i, w) => pooling(n, i, w, 'avg'),
  GlobalAveragePooling2D: (n, i) => globalPooling(n, i, 'mean'),
  GlobalMaxPooling2D: (n, i) => globalPooling(n, i, 'amax'),
  GlobalAveragePooling1D: (_, [x]) => ({ expr: `${toKeras(x)}.mean(dim=1)`, layout: 'keras' }),
  GlobalMaxPooling1D: (_, [x]) => ({ expr: `${toKeras(x)}.amax(dim=1)`, layout: 'keras' }),
  ClassToken: (n, [x], w) => {
    const tokens = layerWeights(n.layer).get('tokens')!;
    const self = w.submodule(n, `nn.Parameter(torch.zeros(${tokens.shape.join(', ')}))`);
    w.tensor(w.attr(n), tokens.shape, () => tokens.values);
    return {
      expr: `torch.cat([${self}.expand(${x.expr}.shape[0], -1, -1), ${toKeras(x)}], dim=1)`,
      layout: 'keras',
    };
  },
  FirstToken: (_, [x]) => ({ expr: `${toKeras(x)}[:, 0]`, layout: 'keras' }),
  PositionalEmbedding: (n, [x], w) => {
    const e = layerWeights(n.layer).get('positional_embedding')!;
    const self = w.submodule(n, `nn.Parameter(torch.zeros(${e.shape.join(', ')}))`);
    w.tensor(w.attr(n), e.shape, () => e.values);
    return { expr: `${toKeras(x)} + ${self}`, layout: 'keras' };
  },
  Add: (_, i) => elementwise(i, '+'),
  Subtract: (_, i) => elementwise(i, '-'),
  Multiply: (_, i) => elementwise(i, '*'),
  Maximum: (_, i) => elementwise(i, 'max'),
  Minimum: (_, i) => elementwise(i, 'min'),
  Average: (_, i) => elementwise(i, 'avg'),
  Concatenate: concatenate,
  ZeroPadding2D: (n, i, w) => padOrCrop(n, i, w, false),
  Cropping2D: (n, i, w) => padOrCrop(n, i, w, true),
  Flatten: (_, [x]) => ({
    expr: `torch.flatten(${toKeras(x)}, 1)`,
    layout: 'keras',
    comment:
      x.layout === 'nchw'
        ? 'Keras flattens channels-last (h, w, c): permute first so the dense weights line up'
        : undefined,
  }),
  Reshape: (n, [x]) => {
    const target = n.config.targetShape as number[];
    const lead = target.includes(-1) ? `${x.expr}.shape[0]` : '-1';
    return { expr: `${toKeras(x)}.reshape(${[lead, ...target].join(', ')})`, layout: 'keras' };
  },
  BatchReshape: (n, [x]) => ({
    expr: `${toKeras(x)}.reshape(${[-1, ...(n.config.targetShape as number[])].join(', ')})`,
    layout: 'keras',
  }),
  Permute: (n, [x]) => ({
    expr: `${toKeras(x)}.permute(${[0, ...(n.config.dims as number[])].join(', ')})`,
    layout: 'keras',
  }),
  Dropout: (n, [x], w) => same(x, `${w.submodule(n, `nn.Dropout(${py(Number(n.config.rate))})`)}(${x.expr})`),
  SpatialDropout2D: (n, [x], w) =>
    same(x, `${w.submodule(n, `nn.Dropout2d(${py(Number(n.config.rate))})`)}(${x.expr})`),
  Activation: (n, [x]) =>
    same(x, activationExpr(n, x.expr, String(n.config.activation), x.layout, x.shape.length)),
  ReLU: (n, [x]) => {
    const { maxValue, negativeSlope, threshold } = n.config as Record<string, number | null | undefined>;
    if ((negativeSlope ?? 0) !== 0 || (threshold ?? 0) !== 0)
      throw unsupportedLayer(n, FORMAT, 'negative slope or threshold');
    if (maxValue == null) return same(x, `F.relu(${x.expr})`);
    return same(x, maxValue === 6 ? `F.relu6(${x.expr})` : `torch.clamp(${x.expr}, 0, ${py(maxValue)})`);
  },
  LeakyReLU: (n, [x]) => same(x, `F.leaky_relu(${x.expr}, ${py(Number(n.config.alpha ?? 0.3))})`),
  Softmax: (n, [x]) => {
    const axis = list(n.config.axis ?? -1);
    if (axis.length !== 1 || (axis[0] !== -1 && axis[0] !== x.shape.length - 1))
      throw unsupportedLayer(n, FORMAT, `axis ${JSON.stringify(n.config.axis)}`);
    return { expr: `F.softmax(${toKeras(x)}, dim=-1)`, layout: 'keras' };
  },
  LayerNormalization: layerNorm,
  LayerNormalizationLastAxis: layerNorm,
  Rescaling: (n, [x], w) => affine(n, x, w, list(n.config.scale ?? 1), list(n.config.offset ?? 0)),
  Normalization: (n, [x], w) => {
    const weights = layerWeights(n.layer);
    const c = n.config as { mean?: number[] | null; variance?: number[] | null };
    const mean = c.mean ?? Array.from(weights.get('mean')!.values);
    const variance = c.variance ?? Array.from(weights.get('variance')!.values);
    const inv = variance.map((v) => 1 / Math.max(Math.sqrt(v), 1e-7));
    return affine(
      n,
      x,
      w,
      inv,
      mean.map((m, i) => -m * inv[i]),
    );
  },
  LayerScale: (n, [x], w) => {
    const gamma = layerWeights(n.layer).get('gamma')!;
    const self = w.submodule(n, `nn.Parameter(torch.ones(${gamma.shape[0]}))`);
    w.tensor(w.attr(n), gamma.shape, () => gamma.values);
    return same(x, x.layout === 'nchw' ? `${x.expr} * ${self}.view(1, -1, 1, 1)` : `${x.expr} * ${self}`);
  },
  ScaleByConstant: (n, [x]) => same(x, `${x.expr} * ${py(Number(n.config.scale))}`),
  BatchMatMul: (_, [a, b]) => ({ expr: `torch.matmul(${toKeras(a)}, ${toKeras(b)})`, layout: 'keras' }),
  SplitLastAxis: (n, [x]) => ({
    expr: `torch.chunk(${toKeras(x)}, ${Number(n.config.numSplits)}, dim=-1)`,
    layout: 'keras',
    outputs: Number(n.config.numSplits),
  }),
};

/** The layer classes the PyTorch exporter writes. */
export const PYTORCH_LAYERS: readonly string[] = Object.keys(EMITTERS).sort();

export function emitLayer(node: GraphNode, inputs: TorchValue[], w: TorchModuleWriter): TorchStatement {
  const emitter = EMITTERS[node.className];
  if (!emitter) throw unsupportedLayer(node, FORMAT);
  return emitter(node, inputs, w);
}
