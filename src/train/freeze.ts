import type { LayersModel } from '@tensorflow/tfjs-layers';
import { VisionlabError } from '../errors.js';

type Layer = LayersModel['layers'][number];

export interface FreezeOptions {
  /** Freeze the first N layers of `model.layers` (Keras: `for layer in model.layers[:N]: layer.trainable = False`). */
  until?: number;
  /** Freeze the layers whose name matches. */
  names?: RegExp;
  /** Print "trainable weight variables: 212 → 168". Default false. */
  verbose?: boolean;
}

export interface FreezeReport {
  /** Trainable weight variables before and after (Keras' `len(model.trainable_weights)`). */
  before: number;
  after: number;
  /** Names of the layers whose `trainable` flag changed. */
  layers: string[];
}

/** Keras' `len(model.trainable_weights)`. */
export function countTrainableWeights(model: LayersModel): number {
  return model.trainableWeights.length;
}

/** Sum of the sizes of the trainable weights (Keras' "Trainable params"). */
export function countTrainableParams(model: LayersModel): number {
  return model.trainableWeights.reduce((n, w) => n + w.shape.reduce<number>((a, b) => a * (b ?? 1), 1), 0);
}

const INFERENCE_PATCHED = Symbol('visionlab.frozenBatchNorm');

interface CallableLayer {
  call(inputs: unknown, kwargs: Record<string, unknown>): unknown;
  [INFERENCE_PATCHED]?: true;
}

/**
 * Makes a BatchNormalization layer run in inference mode while it is not trainable, as Keras does
 * (TF.js' layer keys only on the `training` flag, so a frozen layer would otherwise still normalise
 * with batch statistics and update its moving averages).
 */
function inferenceWhenFrozen(layer: Layer): void {
  const target = layer as unknown as CallableLayer;
  if (target[INFERENCE_PATCHED]) return;
  const call = target.call.bind(layer);
  target.call = (inputs, kwargs) => call(inputs, layer.trainable ? kwargs : { ...kwargs, training: false });
  target[INFERENCE_PATCHED] = true;
}

function eachNested(layer: Layer, visit: (l: Layer) => void): void {
  visit(layer);
  const inner = (layer as unknown as { layers?: Layer[] }).layers;
  if (Array.isArray(inner)) for (const l of inner) eachNested(l, visit);
}

function select(model: LayersModel, options: FreezeOptions): Layer[] {
  const { until, names } = options;
  if (until === undefined && names === undefined) {
    throw new VisionlabError('freeze needs `until` (a layer count) or `names` (a pattern)');
  }
  if (until !== undefined && (!Number.isInteger(until) || until < 0)) {
    throw new VisionlabError(`freeze until must be a whole number of layers ≥ 0, got ${until}`);
  }
  if (until !== undefined && until > model.layers.length) {
    throw new VisionlabError(
      `cannot freeze the first ${until} layers: ${model.name} has ${model.layers.length}`,
      `Use a number from 0 to ${model.layers.length}.`,
    );
  }
  const chosen = model.layers.filter(
    (layer, i) => (until === undefined || i < until) && (!names || names.test(layer.name)),
  );
  if (names && chosen.length === 0) {
    throw new VisionlabError(
      `no layer of ${model.name} matches ${names}`,
      'Check the names with model.summary().',
    );
  }
  return chosen;
}

function setTrainable(
  model: LayersModel,
  layers: Layer[],
  trainable: boolean,
  verbose: boolean | undefined,
): FreezeReport {
  const before = countTrainableWeights(model);
  const changed: string[] = [];
  for (const layer of layers) {
    eachNested(layer, (l) => {
      if (l.getClassName() === 'BatchNormalization') inferenceWhenFrozen(l);
    });
    if (layer.trainable !== trainable) changed.push(layer.name);
    layer.trainable = trainable;
    // A nested model's sub-layers carry their own flags; keep them in step.
    eachNested(layer, (l) => (l.trainable = trainable));
  }
  const after = countTrainableWeights(model);
  if (verbose) console.log(`trainable weight variables: ${before} → ${after}`);
  return { before, after, layers: changed };
}

/**
 * Freezes layers: `{until: 80}` the first 80 layers (the Keras idiom), `{names: /^stack[12]_/}` by
 * name, or both (the first N whose name matches). Frozen BatchNormalization layers run in inference
 * mode. Returns the trainable weight-variable counts before and after.
 */
export function freeze(model: LayersModel, options: FreezeOptions): FreezeReport {
  return setTrainable(model, select(model, options), false, options.verbose);
}

/** Makes layers trainable again: all of them by default, or those `until`/`names` select. */
export function unfreeze(model: LayersModel, options: FreezeOptions = {}): FreezeReport {
  const layers =
    options.until === undefined && options.names === undefined ? model.layers : select(model, options);
  return setTrainable(model, layers, true, options.verbose);
}
