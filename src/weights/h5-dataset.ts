import { VisionlabError } from '../errors.js';
import type { H5, H5Group } from './h5-module.js';
import type { H5Weight } from './keras-h5-types.js';

/** A dataset's values as float32, whatever Keras stored: float arrays, int64 scalars (Normalization's `count`), booleans. */
function toFloat32(raw: unknown): Float32Array | undefined {
  if (raw instanceof Float32Array) return raw;
  if (typeof raw === 'number' || typeof raw === 'bigint' || typeof raw === 'boolean') {
    return Float32Array.of(Number(raw));
  }
  if (ArrayBuffer.isView(raw) && 'length' in raw) {
    return Float32Array.from(raw as unknown as ArrayLike<number | bigint>, Number);
  }
  return undefined;
}

/** Reads the dataset `name` of `group` as one weight; `label` is how errors name it (`layer/weight`). */
export function readWeight(h5: H5, group: H5Group, name: string, file: string, label = name): H5Weight {
  const entity = group.get(name);
  if (!(entity instanceof h5.Dataset)) {
    throw new VisionlabError(
      `${file} names weight ${label} (${group.path}/${name}) but holds no such dataset.`,
      'The file is damaged or not a Keras weights file.',
    );
  }
  const values = toFloat32(entity.value);
  if (!values) {
    throw new VisionlabError(
      `${file}: weight ${label} (${group.path}/${name}) holds ${entity.dtype} values, not numbers.`,
      'The file is damaged or not a Keras weights file.',
    );
  }
  if (!values.every(Number.isFinite)) {
    throw new VisionlabError(
      `${file}: weight ${label} (${group.path}/${name}) holds values that are not finite numbers.`,
      'The file is damaged: download or export it again.',
    );
  }
  return { name, shape: entity.shape ?? [], values };
}
