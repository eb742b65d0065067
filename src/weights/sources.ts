import { VisionlabError } from '../errors.js';

export type ChecksumAlgorithm = 'sha256' | 'md5';

/** A downloadable pretrained weights file and how to verify it. */
export interface PretrainedSource {
  /** File name in the cache. */
  fileName: string;
  url: string;
  checksum: { algorithm: ChecksumAlgorithm; digest: string };
  /** Which `.h5` layout the file uses. */
  layout: 'keras-model' | 'keras-weights';
  /** Where the weights come from and under which terms. */
  origin: string;
}

const KCA_RELEASES = 'https://github.com/leondgarse/keras_cv_attention_models/releases/download';
const KCA_ORIGIN =
  'keras_cv_attention_models (MIT license), ImageNet-1k weights converted from the DaViT authors (MIT)';

/**
 * ImageNet weights of keras_cv_attention_models' DaViT releases. Their publisher lists an MD5 for each
 * file (the `PRETRAINED_DICT` of `davit.py`); that is the digest checked here.
 */
export const PRETRAINED_SOURCES: Record<string, Record<string, PretrainedSource>> = {
  davit_t: {
    imagenet: {
      fileName: 'davit_t_imagenet.h5',
      url: `${KCA_RELEASES}/davit/davit_t_imagenet.h5`,
      checksum: { algorithm: 'md5', digest: '040a215cbcf1c0ce06db665cdcf6f9ac' },
      layout: 'keras-model',
      origin: KCA_ORIGIN,
    },
  },
  davit_s: {
    imagenet: {
      fileName: 'davit_s_imagenet.h5',
      url: `${KCA_RELEASES}/davit/davit_s_imagenet.h5`,
      checksum: { algorithm: 'md5', digest: 'b95558071c639815f4ab2e9d09a4141f' },
      layout: 'keras-model',
      origin: KCA_ORIGIN,
    },
  },
  davit_b: {
    imagenet: {
      fileName: 'davit_b_imagenet.h5',
      url: `${KCA_RELEASES}/davit/davit_b_imagenet.h5`,
      checksum: { algorithm: 'md5', digest: '89e50de7a70ea7b2404f8f57369d8015' },
      layout: 'keras-model',
      origin: KCA_ORIGIN,
    },
  },
};

const KERAS_APPLICATIONS = 'https://storage.googleapis.com/tensorflow/keras-applications';
const KERAS_ORIGIN = 'keras.applications ImageNet weights (Keras, Apache-2.0)';

/** keras.applications files without the top (`*_notop.h5`, `save_weights` layout), with Keras' own MD5s. */
const KERAS_APPLICATIONS_SOURCES: Record<string, Record<string, PretrainedSource>> = {
  resnet50: {
    imagenet: {
      fileName: 'resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5',
      url: `${KERAS_APPLICATIONS}/resnet/resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5`,
      checksum: { algorithm: 'md5', digest: '4d473c1dd8becc155b73f8504c6f6626' },
      layout: 'keras-weights',
      origin: KERAS_ORIGIN,
    },
  },
  resnet101: {
    imagenet: {
      fileName: 'resnet101_weights_tf_dim_ordering_tf_kernels_notop.h5',
      url: `${KERAS_APPLICATIONS}/resnet/resnet101_weights_tf_dim_ordering_tf_kernels_notop.h5`,
      checksum: { algorithm: 'md5', digest: '88cf7a10940856eca736dc7b7e228a21' },
      layout: 'keras-weights',
      origin: KERAS_ORIGIN,
    },
  },
};
Object.assign(PRETRAINED_SOURCES, KERAS_APPLICATIONS_SOURCES);

/** Adds or replaces a model's pretrained source (e.g. a mirror, or a zoo model's keras.applications file). */
export function registerPretrainedSource(model: string, tag: string, source: PretrainedSource): void {
  PRETRAINED_SOURCES[model] = { ...(PRETRAINED_SOURCES[model] ?? {}), [tag]: source };
}

export function pretrainedSource(model: string, tag: string): PretrainedSource {
  const source = PRETRAINED_SOURCES[model]?.[tag];
  if (!source) {
    const known = Object.entries(PRETRAINED_SOURCES)
      .flatMap(([m, tags]) => Object.keys(tags).map((t) => `${m}:${t}`))
      .join(', ');
    throw new VisionlabError(
      `No pretrained weights "${tag}" are known for model "${model}".`,
      `Known: ${known}. Or pass the path of a Keras .h5 file as \`pretrained\`.`,
    );
  }
  return source;
}
