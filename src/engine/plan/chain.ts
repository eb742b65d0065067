import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { ACT_NONE, convParams } from '../native/conv-params.js';
import { poolParams } from '../native/pool-params.js';

type Layer = LayersModel['layers'][number];
export type LayerVariable = Layer['weights'][number];

/** Op kinds and element-wise functions of native/src/plan.h. */
export const OP = { conv: 1, pool: 2, dense: 3, eltwise: 4, softmax: 5, dropout: 6, flatten: 7 } as const;
export const ELTWISE = { relu: 0, sigmoid: 1, tanh: 2, linear: 3 } as const;
/** Integers per op record (plan.h's kPlanRecord) and the places of the flags every record shares. */
export const RECORD = 20;
export const FIELD = { bias: 15, relu: 16, weightGradient: 17, inputGradient: 18 } as const;

/** One op of a planned chain, independent of the batch size. */
export interface ChainOp {
  /** The Keras layer it comes from (one layer can give two ops: a convolution and its activation). */
  layer: string;
  /** plan.h's op record, gradient flags not yet set. */
  record: number[];
  /** Two float parameters (alpha, beta of an element-wise function). */
  floats: [number, number];
  kernel?: LayerVariable;
  bias?: LayerVariable;
  dropout?: { rate: number; seed?: number };
  /** Output shape without the batch dimension. */
  outShape: number[];
}

export interface Chain {
  inputShape: [number, number, number];
  ops: ChainOp[];
}

export type ChainResult = { chain: Chain } | { reason: string };

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

function eltwiseOp(
  layer: string,
  fn: keyof typeof ELTWISE,
  shape: number[],
  floats: [number, number] = [0, 0],
) {
  return { layer, record: record(OP.eltwise, [ELTWISE[fn]]), floats, outShape: shape };
}

/** The ops that apply a Keras activation after a layer (relu is fused into the layer itself). */
function activationOps(layer: string, activation: unknown, shape: number[]): ChainOp[] {
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
      return [{ layer, record: record(OP.softmax, []), floats: [0, 0], outShape: shape }];
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
  for (const key of ['kernelRegularizer', 'biasRegularizer', 'activityRegularizer']) {
    if (config[key] !== undefined && config[key] !== null) refuse(`${layer.name} has a ${key}`);
  }
}

interface Cursor {
  shape: number[];
  /** ZeroPadding2D waiting for the convolution it is folded into: [top, bottom, left, right]. */
  pending?: { layer: string; pad: [number, number, number, number] };
}

function convOps(layer: Layer, config: Config, at: Cursor): ChainOp[] {
  checkChannelsLast(layer, config);
  checkNoRegularizer(layer, config);
  if (at.shape.length !== 3) refuse(`${layer.name}: Conv2D on a ${at.shape.length + 1}-D input`);
  const [dh, dw] = pair(config.dilationRate ?? 1, 'dilationRate');
  if (dh !== 1 || dw !== 1) refuse(`${layer.name}: dilation ${dh}×${dw}`);
  const [kh, kw] = pair(config.kernelSize, 'kernelSize');
  const strides = pair(config.strides ?? 1, 'strides');
  const filters = config.filters as number;
  const [h, w, c] = at.shape;
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
  const [zt, zb, zl, zr] = at.pending?.pad ?? [0, 0, 0, 0];
  at.pending = undefined;
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
  at.shape = outShape;
  const conv: ChainOp = { layer: layer.name, record: r, floats: [0, 0], kernel, bias, outShape };
  return [conv, ...activationOps(layer.name, config.activation, outShape)];
}

function poolOps(layer: Layer, config: Config, at: Cursor, max: boolean): ChainOp[] {
  checkChannelsLast(layer, config);
  if (at.shape.length !== 3) refuse(`${layer.name}: pooling on a ${at.shape.length + 1}-D input`);
  const poolSize = pair(config.poolSize, 'poolSize');
  const strides = pair(config.strides ?? poolSize, 'strides');
  const planned = poolParams([1, ...at.shape], {
    filterSize: poolSize,
    strides,
    pad: config.padding as string,
  });
  if (!planned) refuse(`${layer.name}: oneDNN cannot reproduce this pooling's windows`);
  at.shape = planned.out.slice(1);
  const r = record(OP.pool, [...Array.from(planned.params.slice(1)), max ? 1 : 0]);
  return [{ layer: layer.name, record: r, floats: [0, 0], outShape: at.shape }];
}

function denseOps(layer: Layer, config: Config, at: Cursor): ChainOp[] {
  checkNoRegularizer(layer, config);
  if (at.shape.length !== 1) refuse(`${layer.name}: Dense on a ${at.shape.length + 1}-D input`);
  const units = config.units as number;
  const useBias = config.useBias !== false;
  const { kernel, bias } = weightsOf(layer, useBias);
  const r = record(OP.dense, [at.shape[0], units]);
  r[FIELD.bias] = useBias ? 1 : 0;
  r[FIELD.relu] = config.activation === 'relu' ? 1 : 0;
  at.shape = [units];
  const dense: ChainOp = { layer: layer.name, record: r, floats: [0, 0], kernel, bias, outShape: at.shape };
  return [dense, ...activationOps(layer.name, config.activation, at.shape)];
}

function layerOps(layer: Layer, at: Cursor): ChainOp[] {
  const kind = layer.getClassName();
  const config = layer.getConfig() as Config;
  if (at.pending && kind !== 'Conv2D') {
    refuse(`${at.pending.layer}: ZeroPadding2D is not followed by a Conv2D`);
  }
  const dtype = (config.dtype as string | undefined) ?? 'float32';
  if (dtype !== 'float32') refuse(`${layer.name}: dtype ${dtype}`);
  switch (kind) {
    case 'InputLayer':
      return [];
    case 'Rescaling': {
      const scale = config.scale as number;
      const offset = (config.offset as number | undefined) ?? 0;
      return [eltwiseOp(layer.name, 'linear', at.shape, [scale, offset])];
    }
    case 'ZeroPadding2D': {
      checkChannelsLast(layer, config);
      const raw = config.padding;
      const pads = (Array.isArray(raw) ? raw : [raw, raw]).map((p) => pair(p, 'padding'));
      const [[t, b], [l, r]] = pads;
      at.pending = { layer: layer.name, pad: [t, b, l, r] };
      at.shape = [at.shape[0] + t + b, at.shape[1] + l + r, at.shape[2]];
      return [];
    }
    case 'Conv2D':
      return convOps(layer, config, at);
    case 'MaxPooling2D':
    case 'AveragePooling2D':
      return poolOps(layer, config, at, kind === 'MaxPooling2D');
    case 'Flatten': {
      if (at.shape.length === 1) return [];
      at.shape = [at.shape.reduce((a, b) => a * b, 1)];
      return [{ layer: layer.name, record: record(OP.flatten, []), floats: [0, 0], outShape: at.shape }];
    }
    case 'Dropout': {
      if (config.noiseShape !== undefined && config.noiseShape !== null) refuse(`${layer.name}: noiseShape`);
      const rate = config.rate as number;
      if (!(rate > 0 && rate < 1)) return [];
      const seed = config.seed as number | undefined;
      return [
        {
          layer: layer.name,
          record: record(OP.dropout, []),
          floats: [0, 0],
          dropout: { rate, seed: seed ?? undefined },
          outShape: at.shape,
        },
      ];
    }
    case 'Dense':
      return denseOps(layer, config, at);
    case 'Activation':
      if (config.activation === 'relu') return [eltwiseOp(layer.name, 'relu', at.shape)];
      return activationOps(layer.name, config.activation, at.shape);
    default:
      return refuse(`layer ${layer.name} (${kind}) is not one the planned step supports`);
  }
}

/** Checks that every layer reads the one before it, and nothing else reads any of them. */
function checkChain(model: LayersModel): Layer[] {
  if (model.inputs.length !== 1) refuse(`the model has ${model.inputs.length} inputs`);
  if (model.outputs.length !== 1) refuse(`the model has ${model.outputs.length} outputs`);
  const layers = model.layers;
  let previous: Layer | undefined;
  for (const layer of layers) {
    if (layer.getClassName() === 'InputLayer') {
      if (previous) refuse(`a second input layer ${layer.name}`);
      previous = layer;
      continue;
    }
    if (layer.inboundNodes.length !== 1)
      refuse(`layer ${layer.name} is applied ${layer.inboundNodes.length} times`);
    const inbound = layer.inboundNodes[0].inboundLayers;
    const from = inbound[0];
    if (inbound.length !== 1 || (previous ? from !== previous : from.getClassName() !== 'InputLayer')) {
      refuse(
        `the model is not a single chain (layer ${layer.name} reads ${inbound.map((l) => l.name).join(', ')})`,
      );
    }
    if (from.outboundNodes.length !== 1) refuse(`the model branches after layer ${from.name}`);
    previous = layer;
  }
  if (!previous || model.outputs[0].sourceLayer !== previous) refuse('the output is not the last layer');
  return layers;
}

/** The chain of native ops a model computes, or why it is not a chain the planned step supports. */
export function describeChain(model: LayersModel): ChainResult {
  try {
    const layers = checkChain(model);
    const shape = model.inputs[0].shape;
    if (shape.length !== 4 || shape.slice(1).some((d) => d === null)) {
      refuse(`the input shape ${JSON.stringify(shape)} is not [batch, height, width, channels]`);
    }
    const inputShape = shape.slice(1) as [number, number, number];
    const at: Cursor = { shape: [...inputShape] };
    const ops = layers.flatMap((layer) => layerOps(layer, at));
    if (at.pending) refuse(`${at.pending.layer}: ZeroPadding2D is not followed by a Conv2D`);
    if (ops.length === 0) refuse('the model computes nothing');
    return { chain: { inputShape, ops } };
  } catch (err) {
    if (err instanceof Unsupported) return { reason: err.message };
    throw err;
  }
}
