type Shape = Array<number | null>;

const size = (shape: Shape): number => shape.slice(1).reduce<number>((p, d) => p * (d ?? 1), 1);
const pair = (v: unknown): [number, number] =>
  Array.isArray(v) ? [v[0], v[1] ?? v[0]] : [Number(v), Number(v)];

/**
 * Forward floating-point operations of one layer for one example, counting a multiply-add as 2.
 * Convolutions and dense layers include their bias; activations, batch normalisation (2 per
 * element, folded), element-wise merges and poolings count their elementwise work. Layers that only
 * move data (padding, reshape, concatenation, dropout at inference) cost nothing.
 */
export function layerFlops(
  className: string,
  config: Record<string, unknown>,
  inputShapes: Shape[],
  outputShape: Shape,
): number {
  const out = size(outputShape);
  const inp = inputShapes.length ? size(inputShapes[0]) : 0;
  const inChannels = inputShapes.length ? (inputShapes[0][inputShapes[0].length - 1] ?? 0) : 0;
  const activation = config.activation && config.activation !== 'linear' ? out : 0;
  const bias = config.useBias === false ? 0 : out;
  switch (className) {
    case 'Conv2D': {
      const [kh, kw] = pair(config.kernelSize);
      return 2 * kh * kw * inChannels * out + bias + activation;
    }
    case 'DepthwiseConv2D': {
      const [kh, kw] = pair(config.kernelSize);
      return 2 * kh * kw * out + bias + activation;
    }
    case 'SeparableConv2D': {
      const [kh, kw] = pair(config.kernelSize);
      const mult = Number(config.depthMultiplier ?? 1);
      const depthOut = (out / Number(outputShape[outputShape.length - 1])) * inChannels * mult;
      return 2 * kh * kw * depthOut + 2 * inChannels * mult * out + bias + activation;
    }
    case 'Dense':
      // Any rank: each of the output's positions is a dot product over the input's last axis.
      return 2 * inChannels * out + bias + activation;
    case 'BatchMatMul':
      // [..., M, K] @ [..., K, N]: K multiply-adds per output element.
      return 2 * inChannels * out;
    case 'LayerNormalizationLastAxis':
      return 2 * out;
    case 'MaxPooling2D':
    case 'AveragePooling2D': {
      const [ph, pw] = pair(config.poolSize);
      return ph * pw * out;
    }
    case 'GlobalAveragePooling2D':
    case 'GlobalMaxPooling2D':
      return inp;
    case 'BatchNormalization':
    case 'LayerNormalization':
    case 'Normalization':
      return 2 * out;
    case 'Activation':
    case 'ReLU':
    case 'Softmax':
    case 'Rescaling':
      return out;
    case 'Add':
    case 'Multiply':
    case 'Average':
    case 'Maximum':
    case 'Minimum':
    case 'Subtract':
      return out * Math.max(1, inputShapes.length - 1);
    default:
      return 0;
  }
}

/**
 * How many of a layer's examples one model input makes: 1, except after layers that fold part of
 * an image into the batch axis (window attention's `BatchReshape` turns one image into many windows).
 */
export function batchFoldFactor(
  className: string,
  inputShapes: Shape[],
  outputShape: Shape,
  inFactor: number,
): number {
  if (className !== 'BatchReshape' || inputShapes.length === 0) return inFactor;
  return (inFactor * size(inputShapes[0])) / size(outputShape);
}
