import * as tfl from '@tensorflow/tfjs-layers';
import type { ConfigDict } from '@tensorflow/tfjs-core/dist/serialization.js';
import { VisionlabError } from '../errors.js';
import { shortWeightName } from '../weights/keras-h5-types.js';

/** Shape of a tensor with its batch axis (null where the model leaves a size open). */
export type TensorShape = ReadonlyArray<number | null>;

/** One application of a layer in a model's graph, with the names of the tensors it reads and writes. */
export interface GraphNode {
  layer: tfl.layers.Layer;
  className: string;
  config: ConfigDict;
  inputs: string[];
  outputs: string[];
}

/** A model as the exporters see it: inputs, nodes in an order where every input is computed first, outputs. */
export interface ModelGraph {
  name: string;
  inputs: string[];
  outputs: string[];
  nodes: GraphNode[];
  /** Shape of every tensor by name. */
  shapes: Map<string, TensorShape>;
}

type Sym = tfl.SymbolicTensor;

/**
 * Walks a functional or sequential model from its outputs back to its inputs, nested models
 * flattened into the outer graph. Tensor names come from the layer that writes them, so exported
 * graphs read like the Keras summary. `outputs` picks the ends (GoogLeNet's main output alone is its
 * inference graph).
 */
export function modelGraph(model: tfl.LayersModel, outputs: readonly Sym[] = model.outputs): ModelGraph {
  const nodes: GraphNode[] = [];
  const shapes = new Map<string, TensorShape>();
  const used = new Set<string>();
  const unique = (name: string): string => {
    let candidate = name;
    for (let i = 1; used.has(candidate); i++) candidate = `${name}_${i}`;
    used.add(candidate);
    return candidate;
  };

  const walk = (
    inner: tfl.LayersModel,
    ends: readonly Sym[],
    bound: ReadonlyMap<number, string>,
    prefix: string,
  ): string[] => {
    const names = new Map<number, string>(bound);
    const visit = (symbolic: Sym): string => {
      const known = names.get(symbolic.id);
      if (known !== undefined) return known;
      const layer = symbolic.sourceLayer;
      if (layer.getClassName() === 'InputLayer') {
        throw new VisionlabError(
          `Model "${inner.name}" reads input layer "${layer.name}", which is not one of its inputs.`,
          'Export a model whose graph starts at its own inputs.',
        );
      }
      const node = layer.inboundNodes[symbolic.nodeIndex];
      const inputs = node.inputTensors.map(visit);
      let outputs: string[];
      if (layer instanceof tfl.LayersModel) {
        const innerBound = new Map<number, string>(layer.inputs.map((s, i) => [s.id, inputs[i]]));
        outputs = walk(layer, layer.outputs, innerBound, `${prefix}${layer.name}/`);
      } else {
        const base = `${prefix}${layer.name}${symbolic.nodeIndex > 0 ? `_${symbolic.nodeIndex}` : ''}`;
        outputs = node.outputTensors.map((_, i) =>
          unique(node.outputTensors.length > 1 ? `${base}:${i}` : base),
        );
        nodes.push({
          layer,
          className: layer.getClassName(),
          config: layer.getConfig(),
          inputs,
          outputs,
        });
      }
      node.outputTensors.forEach((s, i) => {
        names.set(s.id, outputs[i]);
        shapes.set(outputs[i], s.shape);
      });
      return names.get(symbolic.id)!;
    };
    return ends.map(visit);
  };

  const inputs = model.inputs.map((s) => unique(s.sourceLayer.name));
  model.inputs.forEach((s, i) => shapes.set(inputs[i], s.shape));
  const bound = new Map(model.inputs.map((s, i) => [s.id, inputs[i]]));
  return { name: model.name, inputs, outputs: walk(model, outputs, bound, ''), nodes, shapes };
}

/** The weights of a layer by their Keras short name (`kernel`, `bias`, `gamma`, `moving_mean`…). */
export function layerWeights(
  layer: tfl.layers.Layer,
): Map<string, { shape: number[]; values: Float32Array }> {
  const out = new Map<string, { shape: number[]; values: Float32Array }>();
  for (const v of layer.weights) {
    out.set(shortWeightName(v.originalName), {
      shape: v.shape.map(Number),
      values: v.read().dataSync() as Float32Array,
    });
  }
  return out;
}

/** A normalization layer's `gamma` and `beta`, ones and zeros where the layer has none (`scale`/`center` false). */
export function gammaBeta(
  layer: tfl.layers.Layer,
  channels: number,
): { gamma: Float32Array; beta: Float32Array } {
  const w = layerWeights(layer);
  return {
    gamma: w.get('gamma')?.values ?? new Float32Array(channels).fill(1),
    beta: w.get('beta')?.values ?? new Float32Array(channels),
  };
}

/** The error every exporter raises for a layer it cannot write. */
export function unsupportedLayer(node: GraphNode, format: string, detail?: string): VisionlabError {
  return new VisionlabError(
    `Layer "${node.layer.name}" (${node.className}${detail ? `, ${detail}` : ''}) cannot be exported to ${format}.`,
    `${format} export supports the layers of the visionlab zoo; see \`visionlab export --help\`.`,
  );
}
