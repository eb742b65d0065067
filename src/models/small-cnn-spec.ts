import { buildSmallCnn } from './small-cnn.js';
import type { ModelSpec } from './types.js';

export const smallCnnSpec: ModelSpec = {
  name: 'small_cnn',
  family: 'SmallCNN',
  build: (options = {}) => buildSmallCnn({ inputShape: options.inputShape, classes: options.classes }),
  defaultInputShape: [28, 28, 1],
  defaultClasses: 2,
  preprocessing: 'raw',
  description: 'Small demo CNN for 28x28 grayscale images (rescaling inside the model)',
};
