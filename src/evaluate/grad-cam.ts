import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel, SymbolicTensor } from '@tensorflow/tfjs-layers';
import { VisionlabError } from '../errors.js';
import { runGraph, type NodeOverride } from './graph-walk.js';

/** A class-activation map: where in the image the evidence for one class lies. */
export interface GradCamResult {
  /** Row-major [height, width] of the feature map, scaled to [0, 1] (all zeros when nothing positive). */
  heatmap: Float32Array;
  height: number;
  width: number;
  /** The layer whose feature map was used. */
  layerName: string;
  classIndex: number;
}

/** Layers that only resample or mask a feature map. */
const PASS_THROUGH = /^(MaxPooling2D|AveragePooling2D|Dropout|SpatialDropout2D|ZeroPadding2D)$/;

function isFeatureMap(s: SymbolicTensor | undefined): s is SymbolicTensor {
  return !!s && s.shape.length === 4 && (s.shape[1] ?? 0) > 1 && (s.shape[2] ?? 0) > 1;
}

/** Every symbolic tensor the model's first output depends on, in an order where inputs come before their uses. */
function graphTensors(model: LayersModel): SymbolicTensor[] {
  const seen = new Set<number>();
  const order: SymbolicTensor[] = [];
  const visit = (s: SymbolicTensor): void => {
    if (seen.has(s.id)) return;
    seen.add(s.id);
    const node = s.sourceLayer.inboundNodes[s.nodeIndex];
    for (const input of node?.inputTensors ?? []) if (input.id !== s.id) visit(input);
    order.push(s);
  };
  visit(model.outputs[0]);
  return order;
}

/**
 * The feature map Grad-CAM reads: the output of `layerName`, or else the last spatial 4-D map the
 * output depends on (the last convolution, its activation, or a nested backbone's output), as
 * Keras' Grad-CAM example picks the last convolutional layer.
 */
export function findFeatureLayer(model: LayersModel, layerName?: string): SymbolicTensor {
  const inputIds = new Set(model.inputs.map((s) => s.id));
  const tensors = graphTensors(model).filter((s) => !inputIds.has(s.id));
  if (layerName) {
    const named = tensors.filter((s) => s.sourceLayer.name === layerName);
    if (named.length === 0) {
      throw new VisionlabError(
        `The model has no layer "${layerName}" on the path to its output.`,
        `Layers: ${model.layers.map((l) => l.name).join(', ')}.`,
      );
    }
    const out = named[named.length - 1];
    if (!isFeatureMap(out)) {
      throw new VisionlabError(
        `Layer "${layerName}" does not output a spatial feature map [batch, h, w, channels].`,
        'Pick a convolutional layer.',
      );
    }
    return out;
  }
  for (let i = tensors.length - 1; i >= 0; i--) {
    if (!isFeatureMap(tensors[i])) continue;
    // A pooling (or dropout/padding) layer only resamples the last convolution's map: use the finer map before it.
    let chosen = tensors[i];
    while (PASS_THROUGH.test(chosen.sourceLayer.getClassName())) {
      const before = chosen.sourceLayer.inboundNodes[chosen.nodeIndex]?.inputTensors;
      if (before?.length !== 1 || !isFeatureMap(before[0]) || inputIds.has(before[0].id)) break;
      chosen = before[0];
    }
    return chosen;
  }
  throw new VisionlabError(
    `Grad-CAM needs a convolutional model, but "${model.name}" has no layer with a spatial feature map.`,
    'Grad-CAM explains convolutional networks (AlexNet, GoogLeNet, ResNet, MobileNet, EfficientNet…).',
  );
}

/** For a Dense output layer with softmax/sigmoid, the class score is its pre-activation logit (no saturation). */
function logitOverride(model: LayersModel): Map<string, NodeOverride> {
  const layer = model.outputs[0].sourceLayer;
  const config = layer.getConfig() as { activation?: string };
  if (
    layer.getClassName() !== 'Dense' ||
    (config.activation !== 'softmax' && config.activation !== 'sigmoid')
  )
    return new Map();
  const weights = layer.getWeights();
  return new Map([
    [
      layer.name,
      (inputs: tf.Tensor[]) => {
        const z = tf.matMul(inputs[0] as tf.Tensor2D, weights[0] as tf.Tensor2D);
        return weights[1] ? tf.add(z, weights[1]) : z;
      },
    ],
  ]);
}

/**
 * Grad-CAM (Selvaraju et al. 2017) for one image `x` [1, h, w, c] (already preprocessed): the
 * feature map A of the chosen layer weighted by the spatial mean of ∂score/∂A, summed over
 * channels, ReLU, scaled to [0, 1]. The score is the class logit when the output is a Dense
 * softmax/sigmoid (for one sigmoid unit, class 0 scores −logit), else the class probability.
 */
export function gradCam(
  model: LayersModel,
  x: tf.Tensor4D,
  classIndex: number,
  layerName?: string,
): GradCamResult {
  if (x.shape[0] !== 1)
    throw new VisionlabError(`gradCam explains one image at a time; got a batch of ${x.shape[0]}.`);
  const target = findFeatureLayer(model, layerName);
  const output = model.outputs[0];
  const overrides = logitOverride(model);
  const cam = tf.tidy(() => {
    const features = runGraph(model, x, target);
    const score = (a: tf.Tensor): tf.Scalar => {
      const out = runGraph(model, x, output, new Map([[target.id, a]]), overrides);
      const flat = tf.reshape(out, [1, -1]);
      const units = flat.shape[1];
      if (units === 1) return tf.sum(classIndex === 1 ? flat : tf.neg(flat)) as tf.Scalar;
      return tf.sum(tf.slice(flat, [0, classIndex], [1, 1])) as tf.Scalar;
    };
    const grads = tf.grad(score)(features);
    const alpha = tf.mean(grads, [1, 2], true);
    return tf.squeeze(tf.relu(tf.sum(tf.mul(features, alpha), -1)), [0]);
  });
  const [height, width] = cam.shape as [number, number];
  const heatmap = Float32Array.from(cam.dataSync());
  cam.dispose();
  // Scaled by its own maximum, however small (untrained networks give tiny gradients).
  const max = heatmap.reduce((m, v) => (v > m ? v : m), 0);
  if (max > 0) for (let i = 0; i < heatmap.length; i++) heatmap[i] /= max;
  return { heatmap, height, width, layerName: target.sourceLayer.name, classIndex };
}
