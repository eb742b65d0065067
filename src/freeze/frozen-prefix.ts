import * as tfl from '@tensorflow/tfjs-layers';

type Layer = tfl.LayersModel['layers'][number];

/** Layers whose output in training differs from call to call: a prefix holding one cannot be cached. */
const STOCHASTIC = new Set([
  'Dropout',
  'SpatialDropout1D',
  'SpatialDropout2D',
  'SpatialDropout3D',
  'GaussianNoise',
  'GaussianDropout',
  'AlphaDropout',
]);

export interface FrozenPrefixSplit {
  /** The model's input up to the one tensor where the trainable part begins. */
  prefix: tfl.LayersModel;
  /** From that tensor to the outputs; shares its layers (and weights) with the model. */
  suffix: tfl.LayersModel;
  /** Layers 0 … cut-1 are in the prefix. */
  cut: number;
}

interface NodeLike {
  inputTensors: tfl.SymbolicTensor[];
  outputTensors: tfl.SymbolicTensor[];
  callArgs?: Record<string, unknown>;
}

const nodeOf = (layer: Layer): NodeLike => (layer as unknown as { inboundNodes: NodeLike[] }).inboundNodes[0];

/** Frozen (or weightless) and the same in training as in inference: BatchNormalization frozen runs in inference mode. */
function isDeterministicFrozen(layer: Layer): boolean {
  if (STOCHASTIC.has(layer.getClassName())) return false;
  if (Array.isArray((layer as unknown as { layers?: unknown }).layers)) return false;
  return !layer.trainable || layer.weights.length === 0;
}

/** The tensors produced by layers before `cut` and used at or after it (or as outputs). */
function crossingTensors(model: tfl.LayersModel, cut: number): tfl.SymbolicTensor[] {
  const before = new Set(model.layers.slice(0, cut));
  const crossing = new Map<number, tfl.SymbolicTensor>();
  for (const layer of model.layers.slice(cut)) {
    for (const t of nodeOf(layer).inputTensors) if (before.has(t.sourceLayer)) crossing.set(t.id, t);
  }
  for (const t of model.outputs) if (before.has(t.sourceLayer)) crossing.set(t.id, t);
  return [...crossing.values()];
}

/**
 * Calls layers `from` … `to`-1 from a new input in place of `feature`, up to `outputs`: a part of the
 * model as a model of its own, sharing its layers (and weights). Undefined when the part reads any other
 * tensor from before `from`.
 */
function buildPart(
  model: tfl.LayersModel,
  from: number,
  to: number,
  feature: tfl.SymbolicTensor,
  outputs: tfl.SymbolicTensor[],
  name: string,
): tfl.LayersModel | undefined {
  const input = tfl.input({
    shape: feature.shape.slice(1) as number[],
    name: `${feature.sourceLayer.name}_features`,
  });
  const mapped = new Map<number, tfl.SymbolicTensor>([[feature.id, input]]);
  for (const layer of model.layers.slice(from, to)) {
    const node = nodeOf(layer);
    const inputs = node.inputTensors.map((t) => mapped.get(t.id));
    if (inputs.some((t) => t === undefined)) return undefined;
    const out = layer.apply(
      inputs.length === 1 ? inputs[0]! : (inputs as tfl.SymbolicTensor[]),
      node.callArgs ?? {},
    );
    const outs = (Array.isArray(out) ? out : [out]) as tfl.SymbolicTensor[];
    node.outputTensors.forEach((t, i) => mapped.set(t.id, outs[i]));
  }
  const ends = outputs.map((o) => mapped.get(o.id));
  if (ends.some((o) => o === undefined)) return undefined;
  return tfl.model({ inputs: input, outputs: ends as tfl.SymbolicTensor[], name });
}

/** Whether the model is one graph of single-use layers with one input: the shape a prefix can be cut from. */
function cuttable(model: tfl.LayersModel): boolean {
  return (
    model.inputs.length === 1 &&
    model.layers.every((l) => (l as unknown as { inboundNodes: unknown[] }).inboundNodes.length === 1)
  );
}

/** The one tensor that carries everything from layers 0 … cut-1 onwards, if there is one (and it is not the input). */
function crossingAt(model: tfl.LayersModel, cut: number): tfl.SymbolicTensor | undefined {
  const crossing = crossingTensors(model, cut);
  return crossing.length === 1 && crossing[0].sourceLayer !== model.layers[0] ? crossing[0] : undefined;
}

/**
 * Splits a model where its frozen, deterministic prefix ends (the last point where one tensor carries
 * everything onwards), so the prefix can run once per image and only the rest train. Undefined when
 * there is no such prefix holding weights (nothing frozen, a shared layer, several inputs).
 */
export function splitFrozenPrefix(model: tfl.LayersModel): FrozenPrefixSplit | undefined {
  if (!cuttable(model)) return undefined;
  const layers = model.layers;
  let frozen = 0;
  while (frozen < layers.length && isDeterministicFrozen(layers[frozen])) frozen++;
  for (let cut = Math.min(frozen, layers.length - 1); cut >= 2; cut--) {
    if (!layers.slice(0, cut).some((l) => l.weights.length > 0)) return undefined;
    const feature = crossingAt(model, cut);
    if (!feature) continue;
    const suffix = buildPart(
      model,
      cut,
      layers.length,
      feature,
      model.outputs,
      `${model.name}_trainable_part`,
    );
    if (!suffix) continue;
    const prefix = tfl.model({ inputs: model.inputs, outputs: feature, name: `${model.name}_frozen_prefix` });
    return { prefix, suffix, cut };
  }
  return undefined;
}

/** A shorter prefix inside a split's: its own prefix model, and the middle part from its output to the split's. */
export interface InnerPrefix {
  cut: number;
  prefix: tfl.LayersModel;
  /** Layers `cut` … the split's cut-1, from the inner prefix's output to the split's prefix output. */
  middle: tfl.LayersModel;
}

/** The cuts before `split.cut` where a shorter prefix (with weights) ends, deepest first. */
export function innerPrefixCuts(model: tfl.LayersModel, split: FrozenPrefixSplit): number[] {
  // The split proves the model cuttable (its suffix has since added nodes to the layers after the cut).
  const cuts: number[] = [];
  for (let cut = split.cut - 1; cut >= 2; cut--) {
    if (!model.layers.slice(0, cut).some((l) => l.weights.length > 0)) break;
    if (crossingAt(model, cut)) cuts.push(cut);
  }
  return cuts;
}

/** The prefix ending at `cut` (one of `innerPrefixCuts`) and the middle part up to the split's prefix output. */
export function innerPrefix(
  model: tfl.LayersModel,
  split: FrozenPrefixSplit,
  cut: number,
): InnerPrefix | undefined {
  const feature = crossingAt(model, cut);
  if (!feature) return undefined;
  const middle = buildPart(
    model,
    cut,
    split.cut,
    feature,
    split.prefix.outputs,
    `${model.name}_frozen_middle`,
  );
  if (!middle) return undefined;
  const prefix = tfl.model({ inputs: model.inputs, outputs: feature, name: `${model.name}_inner_prefix` });
  return { cut, prefix, middle };
}
