import * as tfl from '@tensorflow/tfjs-layers';

const apply = (layer: tfl.layers.Layer, x: tfl.SymbolicTensor | tfl.SymbolicTensor[]) =>
  layer.apply(x) as tfl.SymbolicTensor;

/**
 * A small graph with every op the planned graph takes: a padded stem (conv without bias → BatchNormalization
 * → relu → ZeroPadding2D → max pool), a residual Add of three branches, a Concatenate, global average
 * pooling, dropout, and a second (auxiliary) output read from a branch.
 */
export function residualInception(options: { size?: number; dropout?: number } = {}): tfl.LayersModel {
  const size = options.size ?? 12;
  const input = tfl.input({ shape: [size, size, 1] });
  let x = apply(tfl.layers.zeroPadding2d({ padding: 1, name: 'stem_pad' }), input);
  x = apply(tfl.layers.conv2d({ filters: 8, kernelSize: 3, useBias: false, name: 'stem_conv' }), x);
  x = apply(tfl.layers.batchNormalization({ epsilon: 1.001e-5, name: 'stem_bn' }), x);
  x = apply(tfl.layers.activation({ activation: 'relu', name: 'stem_relu' }), x);
  x = apply(tfl.layers.zeroPadding2d({ padding: 1, name: 'pool_pad' }), x);
  x = apply(tfl.layers.maxPooling2d({ poolSize: 3, strides: 2, name: 'pool' }), x);
  const a = apply(
    tfl.layers.batchNormalization({ name: 'a_bn' }),
    apply(tfl.layers.conv2d({ filters: 8, kernelSize: 1, useBias: false, name: 'a_conv' }), x),
  );
  const b = apply(
    tfl.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', activation: 'relu', name: 'b_conv' }),
    x,
  );
  let s = apply(tfl.layers.add({ name: 'add' }), [a, b, x]);
  s = apply(tfl.layers.activation({ activation: 'relu', name: 'add_relu' }), s);
  s = apply(tfl.layers.concatenate({ name: 'concat' }), [s, b]);
  s = apply(tfl.layers.globalAveragePooling2d({ name: 'gap' }), s);
  if (options.dropout) s = apply(tfl.layers.dropout({ rate: options.dropout, name: 'drop' }), s);
  const main = apply(tfl.layers.dense({ units: 3, activation: 'softmax', name: 'main' }), s);
  const aux = apply(
    tfl.layers.dense({ units: 3, activation: 'softmax', name: 'aux' }),
    apply(tfl.layers.flatten({ name: 'aux_flat' }), b),
  );
  return tfl.model({ inputs: input, outputs: [main, aux] });
}
