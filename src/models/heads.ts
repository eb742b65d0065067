import type * as tfl from '@tensorflow/tfjs-layers';
import { L } from './layer-factory.js';
import type { ResolvedOptions } from './options.js';

type Sym = tfl.SymbolicTensor;

/** Keras' `pooling` argument for a headless model: avg → `avg_pool`, max → `max_pool`, none → the map. */
export function applyPooling(
  x: Sym,
  pooling: ResolvedOptions['pooling'],
  names = { avg: 'avg_pool', max: 'max_pool' },
): Sym {
  if (pooling === 'avg') return L.globalAveragePooling2d({ name: names.avg }).apply(x) as Sym;
  if (pooling === 'max') return L.globalMaxPooling2d({ name: names.max }).apply(x) as Sym;
  return x;
}

/** The classification layer, `Dense(classes, activation)`. */
export function classifier(x: Sym, opts: ResolvedOptions, name = 'predictions'): Sym {
  return L.dense({ units: opts.classes, activation: opts.classifierActivation ?? 'linear', name }).apply(
    x,
  ) as Sym;
}

/** The common Keras applications top: global average pooling, optional dropout, dense. */
export function poolingTop(
  x: Sym,
  opts: ResolvedOptions,
  names: { avg?: string; max?: string; dropout?: string } = {},
  dropoutRate = 0,
): Sym {
  const avg = names.avg ?? 'avg_pool';
  const max = names.max ?? 'max_pool';
  if (!opts.includeTop) return applyPooling(x, opts.pooling, { avg, max });
  let y = L.globalAveragePooling2d({ name: avg }).apply(x) as Sym;
  if (dropoutRate > 0)
    y = L.dropout({ rate: dropoutRate, name: names.dropout ?? 'top_dropout' }).apply(y) as Sym;
  return classifier(y, opts);
}

/** One hidden `Dense(units, relu)` of a flatten top, optionally followed by dropout. */
export interface DenseTopLayer {
  units: number;
  name: string;
  dropout?: { rate: number; name: string };
}

/**
 * The VGG/AlexNet-style top: with `includeTop`, Flatten → the hidden relu Dense layers (each with
 * its optional dropout) → the classifier; without it, Keras' `pooling` on the feature map.
 */
export function flattenTop(
  x: Sym,
  opts: ResolvedOptions,
  hidden: readonly DenseTopLayer[],
  names: { predictions?: string; avg?: string; max?: string } = {},
): Sym {
  if (!opts.includeTop) {
    return applyPooling(x, opts.pooling, { avg: names.avg ?? 'avg_pool', max: names.max ?? 'max_pool' });
  }
  let y = L.flatten({ name: 'flatten' }).apply(x) as Sym;
  for (const layer of hidden) {
    y = L.dense({ units: layer.units, activation: 'relu', name: layer.name }).apply(y) as Sym;
    if (layer.dropout) y = L.dropout(layer.dropout).apply(y) as Sym;
  }
  return classifier(y, opts, names.predictions);
}
