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

/** Calls the layers from `cut` on from a new input in place of `feature`: the trainable part as a model of its own. */
function buildSuffix(
  model: tfl.LayersModel,
  cut: number,
  feature: tfl.SymbolicTensor,
): tfl.LayersModel | undefined {
  const input = tfl.input({
    shape: feature.shape.slice(1) as number[],
    name: `${feature.sourceLayer.name}_features`,
  });
  const mapped = new Map<number, tfl.SymbolicTensor>([[feature.id, input]]);
  for (const layer of model.layers.slice(cut)) {
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
  const outputs = model.outputs.map((o) => mapped.get(o.id));
  if (outputs.some((o) => o === undefined)) return undefined;
  return tfl.model({
    inputs: input,
    outputs: outputs as tfl.SymbolicTensor[],
    name: `${model.name}_trainable_part`,
  });
}

/**
 * Splits a model where its frozen, deterministic prefix ends (the last point where one tensor carries
 * everything onwards), so the prefix can run once per image and only the rest train. Undefined when
 * there is no such prefix holding weights (nothing frozen, a shared layer, several inputs).
 */
export function splitFrozenPrefix(model: tfl.LayersModel): FrozenPrefixSplit | undefined {
  if (model.inputs.length !== 1) return undefined;
  const layers = model.layers;
  if (layers.some((l) => (l as unknown as { inboundNodes: unknown[] }).inboundNodes.length !== 1))
    return undefined;
  let frozen = 0;
  while (frozen < layers.length && isDeterministicFrozen(layers[frozen])) frozen++;
  for (let cut = Math.min(frozen, layers.length - 1); cut >= 2; cut--) {
    if (!layers.slice(0, cut).some((l) => l.weights.length > 0)) return undefined;
    const crossing = crossingTensors(model, cut);
    if (crossing.length !== 1 || crossing[0].sourceLayer === layers[0]) continue;
    const suffix = buildSuffix(model, cut, crossing[0]);
    if (!suffix) continue;
    const prefix = tfl.model({
      inputs: model.inputs,
      outputs: crossing[0],
      name: `${model.name}_frozen_prefix`,
    });
    return { prefix, suffix, cut };
  }
  return undefined;
}
