import type { LayersModel } from '@tensorflow/tfjs-layers';

/** How a model expects its pixels, as in Keras' `imagenet_utils.preprocess_input` (plus `raw`: untouched 0–255). */
export type PreprocessMode = 'tf' | 'torch' | 'caffe' | 'raw';

/** Global pooling applied to a headless backbone's feature map (Keras' `pooling`). */
export type Pooling = 'avg' | 'max' | 'none';

/** The activation of the classification layer; `null` or `linear` returns logits. */
export type ClassifierActivation = 'softmax' | 'sigmoid' | 'linear' | null;

/** Height, width, channels (NHWC without the batch dimension). */
export type InputShape = [number, number, number];

/** Options every builder accepts (the Keras `applications` arguments, in TypeScript casing). */
export interface BuildOptions {
  inputShape?: InputShape;
  /** Number of classes of the classification head; 0 builds the headless backbone. */
  classes?: number;
  /** Keras' `include_top`; defaults to `classes > 0`. */
  includeTop?: boolean;
  classifierActivation?: ClassifierActivation;
  /** Applied only when the top is not included, as in Keras; default `none` (the feature map). */
  pooling?: Pooling;
  /** Families with auxiliary classifiers (GoogLeNet) return them as extra outputs when true. */
  auxiliaryOutputs?: boolean;
  /** False starts the kernels at zero instead of random values: fast when weights are loaded right after. */
  initializeWeights?: boolean;
  /** Model name; defaults to the registry name. */
  name?: string;
}

/** One entry of the model zoo. */
export interface ModelSpec {
  /** Registry name, e.g. `resnet50`. */
  name: string;
  /** Family, e.g. `ResNet`. */
  family: string;
  build(options?: BuildOptions): LayersModel;
  defaultInputShape: InputShape;
  /** Default number of classes of the top (1000 for ImageNet models); 0 for a backbone only, which trains with a new head. */
  defaultClasses?: number;
  preprocessing: PreprocessMode;
  description: string;
  /** Parameters and forward FLOPs at `defaultInputShape` with the default top, when known without building. */
  stats?: ModelStats;
  /** Published weights for this architecture, as timm's `default_cfg` and Keras' `WEIGHTS_HASHES` list them. */
  pretrained?: PretrainedWeights[];
  /** Where weights come from when none are declared (e.g. a conversion recipe). */
  pretrainedNote?: string;
  /** What the family introduced, for `visionlab models NAME`. */
  about?: ModelAbout;
  /**
   * Makes the headless backbone for transfer learning where `build` cannot: a family whose architecture
   * and weights ship in an npm package. `pretrained` is one of its tags, or null for random weights.
   */
  loadBackbone?(options: { inputShape?: InputShape; pretrained: string | null }): Promise<LoadedBackbone>;
}

/** A backbone from `ModelSpec.loadBackbone`, and where its weights came from. */
export interface LoadedBackbone {
  model: LayersModel;
  source: 'random' | 'bundled';
  description: string;
}

export type ChecksumAlgorithm = 'sha256' | 'md5';

/**
 * One published weights file. `layout` is the file's Keras layout, or `tfjs-bundled` for weights that
 * ship inside an npm package (no download).
 */
export interface PretrainedWeights {
  /** The name users pass as `pretrained` (`imagenet`, `nsfwjs`). */
  tag: string;
  /** File name in the cache (the publisher's own name). */
  fileName: string;
  url: string;
  /** The publisher's digest; null where none is published (`checksumNote` says so and why). */
  checksum: { algorithm: ChecksumAlgorithm; digest: string } | null;
  checksumNote?: string;
  layout: 'keras-model' | 'keras-weights' | 'keras3-weights' | 'tfjs-bundled';
  /** Whether the file holds the ImageNet classifier (a headless backbone ignores it). */
  includeTop: boolean;
  /** The input preprocessing the weights were trained with. */
  preprocessing: PreprocessMode;
  /** Published ImageNet-1k top-1 accuracy in percent, null where none is published. */
  top1: number | null;
  /** Where `top1` is published. */
  top1Source: string;
  license: string;
  /** Download size in MB: float32 weights of the file's parameters (0 when bundled). */
  downloadMB: number;
  /** Who trained and who converted the weights. */
  origin: string;
}

/** A few lines about a family for learners (`visionlab models NAME`). */
export interface ModelAbout {
  paper: string;
  year: number;
  /** What the family introduced, in a sentence or two. */
  introduced: string;
  /** Which layers form the stem and each stage (by layer-name prefix). */
  stages: string;
}

/** Size and cost of a model for one example. */
export interface ModelStats {
  params: number;
  flops: number;
}
