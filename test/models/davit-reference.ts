import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

/** Plain-tensor reference of DaViT's attentions for one image [h, w, c], written from the paper's formulas. */
function dense(x: tf.Tensor2D, layer: tfl.layers.Layer): tf.Tensor2D {
  const [kernel, bias] = layer.getWeights();
  return tf.add(tf.matMul(x, kernel as tf.Tensor2D), bias) as tf.Tensor2D;
}

function splitHeads(x: tf.Tensor2D, heads: number): tf.Tensor3D {
  const [n, c] = x.shape;
  return tf.transpose(tf.reshape(x, [n, heads, c / heads]), [1, 0, 2]); // [heads, n, d]
}

export function windowAttentionReference(
  image: tf.Tensor3D,
  heads: number,
  qkvLayer: tfl.layers.Layer,
  outLayer: tfl.layers.Layer,
): tf.Tensor3D {
  return tf.tidy(() => {
    const [h, w, c] = image.shape;
    const tokens = tf.reshape(image, [h * w, c]) as tf.Tensor2D;
    const [q, k, v] = tf
      .split(dense(tokens, qkvLayer), 3, -1)
      .map((t) => splitHeads(t as tf.Tensor2D, heads));
    const scores = tf.softmax(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(c / heads)));
    const merged = tf.reshape(tf.transpose(tf.matMul(scores, v), [1, 0, 2]), [h * w, c]) as tf.Tensor2D;
    return tf.reshape(dense(merged, outLayer), [h, w, c]) as tf.Tensor3D;
  });
}

export function channelAttentionReference(
  image: tf.Tensor3D,
  heads: number,
  qkvLayer: tfl.layers.Layer,
  outLayer: tfl.layers.Layer,
): tf.Tensor3D {
  return tf.tidy(() => {
    const [h, w, c] = image.shape;
    const tokens = tf.reshape(image, [h * w, c]) as tf.Tensor2D;
    const [v, q, k] = tf
      .split(dense(tokens, qkvLayer), 3, -1)
      .map((t) => splitHeads(t as tf.Tensor2D, heads));
    // channel groups attend to channel groups: [heads, d, n] x [heads, n, d] -> [heads, d, d]
    const scores = tf.softmax(tf.mul(tf.matMul(q, k, true, false), 1 / Math.sqrt(c / heads)));
    const perHead = tf.matMul(scores, v, false, true); // [heads, d, n]
    const merged = tf.reshape(tf.transpose(perHead, [2, 0, 1]), [h * w, c]) as tf.Tensor2D;
    return tf.reshape(dense(merged, outLayer), [h, w, c]) as tf.Tensor3D;
  });
}
