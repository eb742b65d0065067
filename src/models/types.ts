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
  /** Default number of classes of the top (1000 for ImageNet models). */
  defaultClasses?: number;
  preprocessing: PreprocessMode;
  description: string;
  /** Parameters and forward FLOPs at `defaultInputShape` with the default top, when known without building. */
  stats?: ModelStats;
}

/** Size and cost of a model for one example. */
export interface ModelStats {
  params: number;
  flops: number;
}
