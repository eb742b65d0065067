import type * as tfl from '@tensorflow/tfjs-layers';
import { L } from './layer-factory.js';

type Sym = tfl.SymbolicTensor;

/** What every EfficientNet stage (v1 and v2) declares, as Keras' blocks args. */
export interface StageArgs {
  repeats: number;
  filtersIn: number;
  filtersOut: number;
  strides: number;
}

export const DROP_CONNECT_RATE = 0.2;

export const swish = (x: Sym, name: string): Sym =>
  L.activation({ activation: 'swish', name }).apply(x) as Sym;

/** Keras' squeeze-and-excitation: global pool, reduce to `filtersIn · seRatio` (swish), expand (sigmoid), rescale. */
export function squeezeExcite(
  x: Sym,
  filtersIn: number,
  filters: number,
  seRatio: number,
  name: string,
): Sym {
  const filtersSe = Math.max(1, Math.floor(filtersIn * seRatio));
  let se = L.globalAveragePooling2d({ name: `${name}se_squeeze` }).apply(x) as Sym;
  se = L.reshape({ targetShape: [1, 1, filters], name: `${name}se_reshape` }).apply(se) as Sym;
  se = L.conv2d({
    filters: filtersSe,
    kernelSize: 1,
    padding: 'same',
    activation: 'swish',
    name: `${name}se_reduce`,
  }).apply(se) as Sym;
  se = L.conv2d({
    filters,
    kernelSize: 1,
    padding: 'same',
    activation: 'sigmoid',
    name: `${name}se_expand`,
  }).apply(se) as Sym;
  return L.multiply({ name: `${name}se_excite` }).apply([x, se]) as Sym;
}

/** The shortcut of a block that keeps its shape, after per-sample drop-connect (identity at inference). */
export function residual(
  x: Sym,
  inputs: Sym,
  args: Omit<StageArgs, 'repeats'>,
  dropRate: number,
  name: string,
): Sym {
  if (args.strides !== 1 || args.filtersIn !== args.filtersOut) return x;
  let y = x;
  if (dropRate > 0) {
    y = L.dropout({
      rate: dropRate,
      noiseShape: [null, 1, 1, 1] as unknown as number[],
      name: `${name}drop`,
    }).apply(y) as Sym;
  }
  return L.add({ name: `${name}add` }).apply([y, inputs]) as Sym;
}

/**
 * Keras' stage loop: each stage's filters rounded to the width, its repeats to the depth; the first
 * repeat strides and widens, the others keep the shape; blocks are named `block<stage><a, b, …>_`
 * and their drop-connect rate grows linearly with the block index over `total` blocks.
 */
export function stackStages<A extends StageArgs>(
  x: Sym,
  stages: A[],
  scale: { filters: (n: number) => number; repeats: (n: number) => number; total: number },
  block: (x: Sym, args: A, dropRate: number, name: string) => Sym,
): Sym {
  let b = 0;
  stages.forEach((args, i) => {
    const filtersOut = scale.filters(args.filtersOut);
    let filtersIn = scale.filters(args.filtersIn);
    let strides = args.strides;
    for (let j = 0; j < scale.repeats(args.repeats); j++) {
      if (j > 0) {
        strides = 1;
        filtersIn = filtersOut;
      }
      const name = `block${i + 1}${String.fromCharCode(97 + j)}_`;
      x = block(x, { ...args, filtersIn, filtersOut, strides }, (DROP_CONNECT_RATE * b) / scale.total, name);
      b++;
    }
  });
  return x;
}
