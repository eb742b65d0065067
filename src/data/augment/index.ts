export { Augmentation, augmentDataset } from './augmentation.js';
export type { AugmentationStep } from './augmentation.js';
export type { AugmentationLayer, FillMode, GeometryOptions, TransformInterpolation } from './layer.js';
export { RandomFlip } from './random-flip.js';
export type { FlipMode } from './random-flip.js';
export { RandomRotation, RandomZoom, RandomTranslation } from './geometric.js';
export { RandomContrast, RandomBrightness } from './photometric.js';
export { RandomCrop } from './random-crop.js';
export { parseAugmentation } from './parse-augmentation.js';
