import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel, SymbolicTensor } from '@tensorflow/tfjs-layers';
import type { Kwargs } from '@tensorflow/tfjs-layers/dist/types.js';

/** Replaces what a layer computes at one node (e.g. to read logits before the final softmax). */
export type NodeOverride = (inputs: tf.Tensor[]) => tf.Tensor;

/**
 * Runs a functional or sequential model eagerly, node by node, from its (first) input to `output`,
 * with the value of chosen symbolic tensors forced: gradients can then flow from the output to an
 * intermediate feature map, whatever the graph's shape (branches, nested backbones).
 */
export function runGraph(
  model: LayersModel,
  x: tf.Tensor,
  output: SymbolicTensor,
  forced: ReadonlyMap<number, tf.Tensor> = new Map(),
  overrides: ReadonlyMap<string, NodeOverride> = new Map(),
): tf.Tensor {
  const values = new Map<number, tf.Tensor>(forced);
  const inputIds = new Set(model.inputs.map((s) => s.id));
  const evaluate = (symbolic: SymbolicTensor): tf.Tensor => {
    const known = values.get(symbolic.id);
    if (known) return known;
    if (inputIds.has(symbolic.id)) {
      values.set(symbolic.id, x);
      return x;
    }
    const layer = symbolic.sourceLayer;
    const node = layer.inboundNodes[symbolic.nodeIndex];
    const inputs = node.inputTensors.map(evaluate);
    const override = overrides.get(layer.name);
    const result = override
      ? override(inputs)
      : layer.apply(inputs.length === 1 ? inputs[0] : inputs, (node.callArgs ?? {}) as Kwargs);
    const outputs = (Array.isArray(result) ? result : [result]) as tf.Tensor[];
    node.outputTensors.forEach((s, i) => values.set(s.id, outputs[i]));
    return values.get(symbolic.id)!;
  };
  return evaluate(output);
}
