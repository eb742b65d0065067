import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { ACT_NONE, convParams } from '../native/conv-params.js';
import { poolParams } from '../native/pool-params.js';

type Layer = LayersModel['layers'][number];
export type LayerVariable = Layer['weights'][number];
/** A weight the plan reads: a layer variable, or a constant standing in for an absent one (gamma of `scale: false`). */
export type PlanWeight = Pick<LayerVariable, 'read' | 'shape'>;

/** Op kinds and element-wise functions of native/src/plan.h. */
export const OP = {
  conv: 1,
  pool: 2,
  dense: 3,
  eltwise: 4,
  softmax: 5,
  dropout: 6,
  flatten: 7,
  add: 8,
  concat: 9,
  batchNorm: 10,
  globalAvgPool: 11,
  pad: 12,
} as const;
export const ELTWISE = { relu: 0, sigmoid: 1, tanh: 2, linear: 3 } as const;
/** Integers per op record (plan.h's kPlanRecord) and the places of the flags every record shares. */
export const RECORD = 20;
export const FIELD = { bias: 15, relu: 16, weightGradient: 17, inputGradient: 18 } as const;
/** The plan's input, as an op's input index. */
export const MODEL_INPUT = -1;

/** BatchNormalization's statistics: updated from the batch's (as TF.js does in training), or used as they are. */
export interface BatchNormStats {
  movingMean: LayerVariable;
  movingVariance: LayerVariable;
  momentum: number;
  /** A frozen layer kept in inference mode: normalises with the moving statistics and leaves them alone. */
  inference: boolean;
}

/** One op of a planned graph, independent of the batch size. */
export interface PlanOp {
  /** The Keras layer it comes from (one layer can give two ops: a convolution and its activation). */
  layer: string;
  /** plan.h's op record, gradient flags not yet set. */
  record: number[];
  /** Two float parameters (alpha, beta of an element-wise function; BatchNormalization's epsilon). */
  floats: [number, number];
  /** The ops whose outputs it reads, earlier in the list (MODEL_INPUT: the model's input). */
  inputs: number[];
  /** Convolution and dense kernel and bias; BatchNormalization's gamma and beta. */
  kernel?: PlanWeight;
  bias?: PlanWeight;
  batchNorm?: BatchNormStats;
  dropout?: { rate: number; seed?: number };
  /** Output shape without the batch dimension. */
  outShape: number[];
}

export interface Graph {
  inputShape: [number, number, number];
  /** In topological order. */
  ops: PlanOp[];
  /** The ops giving the model's outputs, in the model's order. */
  outputs: number[];
}

export type GraphResult = { graph: Graph } | { reason: string };

export interface DescribeOptions {
  /** Whether a BatchNormalization layer runs in inference mode in training (frozen, as Keras keeps it). */
  batchNormInference?: (layer: Layer) => boolean;
}

type Config = Record<string, unknown>;

class Unsupported extends Error {}

function refuse(reason: string): never {
  throw new Unsupported(reason);
}

function pair(v: unknown, name: string): [number, number] {
  if (typeof v === 'number') return [v, v];
  if (Array.isArray(v) && v.length === 2 && v.every((n) => typeof n === 'number')) return [v[0], v[1]];
  return refuse(`${name} ${JSON.stringify(v)} is not a pair of numbers`);
}

function record(kind: number, values: number[]): number[] {
  const r = new Array<number>(RECORD).fill(0);
  r[0] = kind;
  values.forEach((v, i) => (r[i + 1] = v));
  return r;
}

/** An op before it is placed in the graph: the first of a layer's ops reads the layer's inputs, the others the op before. */
type Draft = Omit<PlanOp, 'inputs'>;

function eltwiseOp(
  layer: string,
  fn: keyof typeof ELTWISE,
  shape: number[],
  floats: [number, number] = [0, 0],
): Draft {
  return { layer, record: record(OP.eltwise, [ELTWISE[fn]]), floats, outShape: shape };
}

function plainOp(layer: string, kind: number, outShape: number[], values: number[] = []): Draft {
  return { layer, record: record(kind, values), floats: [0, 0], outShape };
}

/** The ops that apply a Keras activation after a layer (relu is fused into the layer itself). */
function activationOps(layer: string, activation: unknown, shape: number[]): Draft[] {
  switch (activation) {
    case undefined:
    case null:
    case 'linear':
    case 'relu':
      return [];
    case 'sigmoid':
    case 'tanh':
      return [eltwiseOp(layer, activation, shape)];
    case 'softmax':
      if (shape.length !== 1) refuse(`${layer}: softmax over a ${shape.length + 1}-D tensor`);
      return [plainOp(layer, OP.softmax, shape)];
    default:
      return refuse(`${layer}: activation ${String(activation)} is not supported`);
  }
}

function weightsOf(layer: Layer, useBias: boolean): { kernel: LayerVariable; bias?: LayerVariable } {
  const l = layer as unknown as { kernel?: LayerVariable; bias?: LayerVariable | null };
  if (!l.kernel || layer.weights.length !== (useBias ? 2 : 1) || (useBias && !l.bias)) {
    refuse(`${layer.name}: unexpected weights`);
  }
  return { kernel: l.kernel, bias: useBias ? (l.bias ?? undefined) : undefined };
}

function checkChannelsLast(layer: Layer, config: Config): void {
  const f = config.dataFormat;
  if (f !== undefined && f !== null && f !== 'channelsLast')
    refuse(`${layer.name}: data format ${String(f)}`);
}

function checkNoRegularizer(layer: Layer, config: Config): void {
  for (const key of [
    'kernelRegularizer',
    'biasRegularizer',
    'activityRegularizer',
    'gammaRegularizer',
    'betaRegularizer',
  ]) {
    if (config[key] !== undefined && config[key] !== null) refuse(`${layer.name} has a ${key}`);
  }
}

function checkImage(layer: Layer, shape: number[], what: string): [number, number, number] {
  if (shape.length !== 3) refuse(`${layer.name}: ${what} on a ${shape.length + 1}-D input`);
  return shape as [number, number, number];
}

/** A ZeroPadding2D's output: the padding is folded into the convolution that reads it, or made an op. */
type Padding = [number, number, number, number];

function convOps(layer: Layer, config: Config, shape: number[], padding: Padding): Draft[] {
  checkChannelsLast(layer, config);
  checkNoRegularizer(layer, config);
  const [h, w, c] = checkImage(layer, shape, 'Conv2D');
  const [dh, dw] = pair(config.dilationRate ?? 1, 'dilationRate');
  if (dh !== 1 || dw !== 1) refuse(`${layer.name}: dilation ${dh}×${dw}`);
  const [kh, kw] = pair(config.kernelSize, 'kernelSize');
  const strides = pair(config.strides ?? 1, 'strides');
  const filters = config.filters as number;
  const info = tf.backend_util.computeConv2DInfo(
    [1, h, w, c],
    [kh, kw, c, filters],
    strides,
    1,
    config.padding as 'same' | 'valid',
    undefined,
    false,
    'channelsLast',
  );
  const p = convParams(info, false, ACT_NONE, false);
  if (!p) refuse(`${layer.name}: oneDNN cannot reproduce this convolution's output size`);
  const [zt, zb, zl, zr] = padding;
  const useBias = config.useBias !== false;
  const { kernel, bias } = weightsOf(layer, useBias);
  const outShape = [info.outHeight, info.outWidth, filters];
  const r = record(OP.conv, [
    h - zt - zb,
    w - zl - zr,
    c,
    kh,
    kw,
    filters,
    info.outHeight,
    info.outWidth,
    strides[0],
    strides[1],
    p[13] + zt,
    p[14] + zl,
    p[15] + zb,
    p[16] + zr,
  ]);
  r[FIELD.bias] = useBias ? 1 : 0;
  r[FIELD.relu] = config.activation === 'relu' ? 1 : 0;
  const conv: Draft = { layer: layer.name, record: r, floats: [0, 0], kernel, bias, outShape };
  return [conv, ...activationOps(layer.name, config.activation, outShape)];
}

function poolOps(layer: Layer, config: Config, shape: number[], max: boolean): Draft[] {
  checkChannelsLast(layer, config);
  checkImage(layer, shape, 'pooling');
  const poolSize = pair(config.poolSize, 'poolSize');
  const strides = pair(config.strides ?? poolSize, 'strides');
  const planned = poolParams([1, ...shape], {
    filterSize: poolSize,
    strides,
    pad: config.padding as string,
  });
  if (!planned) refuse(`${layer.name}: oneDNN cannot reproduce this pooling's windows`);
  const values = [...Array.from(planned.params.slice(1)), max ? 1 : 0];
  return [plainOp(layer.name, OP.pool, planned.out.slice(1), values)];
}

function denseOps(layer: Layer, config: Config, shape: number[]): Draft[] {
  checkNoRegularizer(layer, config);
  if (shape.length !== 1) refuse(`${layer.name}: Dense on a ${shape.length + 1}-D input`);
  const units = config.units as number;
  const useBias = config.useBias !== false;
  const { kernel, bias } = weightsOf(layer, useBias);
  const r = record(OP.dense, [shape[0], units]);
  r[FIELD.bias] = useBias ? 1 : 0;
  r[FIELD.relu] = config.activation === 'relu' ? 1 : 0;
  const dense: Draft = { layer: layer.name, record: r, floats: [0, 0], kernel, bias, outShape: [units] };
  return [dense, ...activationOps(layer.name, config.activation, [units])];
}

function lastAxis(layer: Layer, axis: unknown, rank: number): void {
  if (axis !== -1 && axis !== rank) refuse(`${layer.name}: axis ${String(axis)} is not the channel axis`);
}

function batchNormOps(layer: Layer, config: Config, shape: number[], options: DescribeOptions): Draft[] {
  checkNoRegularizer(layer, config);
  const axis = Array.isArray(config.axis) && config.axis.length === 1 ? config.axis[0] : config.axis;
  lastAxis(layer, axis, shape.length);
  if (shape.length !== 3 && shape.length !== 1)
    refuse(`${layer.name}: BatchNormalization on a ${shape.length + 1}-D input`);
  const l = layer as unknown as Record<
    'gamma' | 'beta' | 'movingMean' | 'movingVariance',
    LayerVariable | null
  >;
  if (!l.gamma || !l.beta || !l.movingMean || !l.movingVariance)
    refuse(`${layer.name}: BatchNormalization without ${config.center === false ? 'center' : 'scale'}`);
  const channels = shape[shape.length - 1];
  const inference = options.batchNormInference?.(layer) ?? false;
  const draft = plainOp(layer.name, OP.batchNorm, shape, [channels, inference ? 1 : 0]);
  draft.floats = [config.epsilon as number, 0];
  draft.kernel = { read: () => l.gamma!.read(), shape: [channels] };
  draft.bias = l.beta;
  draft.batchNorm = {
    movingMean: l.movingMean,
    movingVariance: l.movingVariance,
    momentum: config.momentum as number,
    inference,
  };
  return [draft];
}

function zeroPadding(layer: Layer, config: Config): Padding {
  checkChannelsLast(layer, config);
  const raw = config.padding;
  const pads = (Array.isArray(raw) ? raw : [raw, raw]).map((p) => pair(p, 'padding'));
  const [[t, b], [l, r]] = pads;
  return [t, b, l, r];
}

/** The ops of a layer reading inputs of `shapes` (the first of them unpadded: `padding` says by how much). */
function layerOps(layer: Layer, shapes: number[][], padding: Padding, options: DescribeOptions): Draft[] {
  const kind = layer.getClassName();
  const config = layer.getConfig() as Config;
  const dtype = (config.dtype as string | undefined) ?? 'float32';
  if (dtype !== 'float32') refuse(`${layer.name}: dtype ${dtype}`);
  const shape = shapes[0];
  switch (kind) {
    case 'Rescaling': {
      const scale = config.scale as number;
      const offset = (config.offset as number | undefined) ?? 0;
      return [eltwiseOp(layer.name, 'linear', shape, [scale, offset])];
    }
    case 'Conv2D':
      return convOps(layer, config, shape, padding);
    case 'MaxPooling2D':
    case 'AveragePooling2D':
      return poolOps(layer, config, shape, kind === 'MaxPooling2D');
    case 'GlobalAveragePooling2D':
      checkChannelsLast(layer, config);
      if (config.keepDims === true) refuse(`${layer.name}: keepDims`);
      checkImage(layer, shape, 'GlobalAveragePooling2D');
      return [plainOp(layer.name, OP.globalAvgPool, [shape[2]])];
    case 'Flatten':
      if (shape.length === 1) return [];
      return [plainOp(layer.name, OP.flatten, [shape.reduce((a, b) => a * b, 1)])];
    case 'Dropout': {
      if (config.noiseShape !== undefined && config.noiseShape !== null) refuse(`${layer.name}: noiseShape`);
      const rate = config.rate as number;
      if (!(rate > 0 && rate < 1)) return [];
      const seed = config.seed as number | undefined;
      return [{ ...plainOp(layer.name, OP.dropout, shape), dropout: { rate, seed: seed ?? undefined } }];
    }
    case 'Dense':
      return denseOps(layer, config, shape);
    case 'BatchNormalization':
      return batchNormOps(layer, config, shape, options);
    case 'Activation':
      if (config.activation === 'relu') return [eltwiseOp(layer.name, 'relu', shape)];
      return activationOps(layer.name, config.activation, shape);
    case 'Add':
      if (shapes.some((s) => s.join() !== shape.join()))
        refuse(`${layer.name}: Add of shapes ${shapes.map((s) => s.join('×')).join(', ')}`);
      return [plainOp(layer.name, OP.add, shape)];
    case 'Concatenate': {
      lastAxis(layer, config.axis, shape.length);
      const rest = (s: number[]) => s.slice(0, -1).join();
      if (shapes.some((s) => s.length !== shape.length || rest(s) !== rest(shape)))
        refuse(`${layer.name}: Concatenate of shapes ${shapes.map((s) => s.join('×')).join(', ')}`);
      const channels = shapes.reduce((a, s) => a + s[s.length - 1], 0);
      return [plainOp(layer.name, OP.concat, [...shape.slice(0, -1), channels])];
    }
    default:
      return refuse(`layer ${layer.name} (${kind}) is not one the planned step supports`);
  }
}

/** A layer's output as the graph holds it: the op giving it, its shape, and a padding not yet applied. */
interface Value {
  op: number;
  shape: number[];
  pad?: { layer: string; padding: Padding; consumers: number; padded?: number };
}

const NO_PADDING: Padding = [0, 0, 0, 0];

function inboundOf(layer: Layer): Layer[] {
  if (layer.inboundNodes.length !== 1)
    refuse(`layer ${layer.name} is applied ${layer.inboundNodes.length} times`);
  const node = layer.inboundNodes[0];
  if (node.tensorIndices.some((t) => t !== 0) || node.nodeIndices.some((n) => n !== 0))
    refuse(`layer ${layer.name} reads a layer applied more than once`);
  return node.inboundLayers;
}

function checkReachesOutputs(ops: PlanOp[], outputs: number[]): void {
  const live = new Array<boolean>(ops.length).fill(false);
  for (const o of outputs) live[o] = true;
  for (let i = ops.length - 1; i >= 0; i--) {
    if (!live[i]) refuse(`layer ${ops[i].layer} does not lead to an output`);
    for (const j of ops[i].inputs) if (j >= 0) live[j] = true;
  }
}

/** The graph of native ops a model computes, or why it is not one the planned step supports. */
export function describeGraph(model: LayersModel, options: DescribeOptions = {}): GraphResult {
  try {
    if (model.inputs.length !== 1) refuse(`the model has ${model.inputs.length} inputs`);
    const shape = model.inputs[0].shape;
    if (shape.length !== 4 || shape.slice(1).some((d) => d === null)) {
      refuse(`the input shape ${JSON.stringify(shape)} is not [batch, height, width, channels]`);
    }
    const inputShape = shape.slice(1) as [number, number, number];
    const ops: PlanOp[] = [];
    const values = new Map<Layer, Value>();
    const inputLayer = model.inputs[0].sourceLayer as Layer;
    values.set(inputLayer, { op: MODEL_INPUT, shape: [...inputShape] });
    // A value's op, with its pending zero padding made an op the first time a non-convolution reads it.
    const materialise = (v: Value): number => {
      if (!v.pad) return v.op;
      if (v.pad.padded === undefined) {
        const [t, b, l, r] = v.pad.padding;
        ops.push({ ...plainOp(v.pad.layer, OP.pad, v.shape, [t, b, l, r]), inputs: [v.op] });
        v.pad.padded = ops.length - 1;
      }
      return v.pad.padded;
    };
    for (const layer of model.layers) {
      if (layer === inputLayer) continue;
      if (layer.getClassName() === 'InputLayer') refuse(`a second input layer ${layer.name}`);
      const inbound = inboundOf(layer).map((from) => {
        const v = values.get(from);
        if (!v) refuse(`layer ${layer.name} comes before its input ${from.name}`);
        return v;
      });
      if (layer.getClassName() === 'ZeroPadding2D') {
        const padding = zeroPadding(layer, layer.getConfig() as Config);
        const [t, b, l, r] = padding;
        const [h, w, c] = checkImage(layer, inbound[0].shape, 'ZeroPadding2D');
        const consumers = layer.outboundNodes.length;
        const pad = { layer: layer.name, padding, consumers };
        values.set(layer, { op: materialise(inbound[0]), shape: [h + t + b, w + l + r, c], pad });
        continue;
      }
      const first = inbound[0];
      const folds = layer.getClassName() === 'Conv2D' && first.pad?.consumers === 1 && inbound.length === 1;
      const padding = folds && first.pad ? first.pad.padding : NO_PADDING;
      const inputs = inbound.map((v) => (folds ? v.op : materialise(v)));
      const drafts = layerOps(
        layer,
        inbound.map((v) => v.shape),
        padding,
        options,
      );
      if (drafts.length === 0) {
        values.set(layer, { op: inputs[0], shape: first.shape });
        if (inputs.length !== 1) refuse(`layer ${layer.name} computes nothing from several inputs`);
        continue;
      }
      drafts.forEach((d, k) => ops.push({ ...d, inputs: k === 0 ? inputs : [ops.length - 1] }));
      values.set(layer, { op: ops.length - 1, shape: drafts[drafts.length - 1].outShape });
    }
    const outputs = model.outputs.map((t) => {
      const v = values.get(t.sourceLayer as Layer);
      if (!v) return refuse(`the output ${t.name} comes from no planned layer`);
      const op = materialise(v);
      if (op === MODEL_INPUT) refuse('the model computes nothing');
      return op;
    });
    if (ops.length === 0) refuse('the model computes nothing');
    checkReachesOutputs(ops, outputs);
    return { graph: { inputShape, ops, outputs } };
  } catch (err) {
    if (err instanceof Unsupported) return { reason: err.message };
    throw err;
  }
}
