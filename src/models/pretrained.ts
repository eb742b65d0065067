import type { ChecksumAlgorithm, ModelSpec, ModelStats, PreprocessMode, PretrainedWeights } from './types.js';

/** keras.applications' weights bucket (`BASE_WEIGHTS_PATH` in keras/src/applications/*.py). */
export const KERAS_APPLICATIONS_URL = 'https://storage.googleapis.com/tensorflow/keras-applications';
/** The top-1 column of the Keras Applications table. */
export const KERAS_TABLE = 'the Keras Applications table, keras.io/api/applications';
export const KCA_RELEASES_URL = 'https://github.com/leondgarse/keras_cv_attention_models/releases/download';

/** Size of a file holding `params` float32 weights, in MB (HDF5 overhead is small against it). */
export const float32MB = (params: number): number => Math.round((params * 4) / 1e5) / 10;

export interface KerasFileArgs {
  url: string;
  fileName?: string;
  /** Keras' `file_hash`: 32 hex digits are MD5, 64 are SHA-256 (Keras' `get_file(hash_algorithm="auto")`). */
  hash: string | null;
  checksumNote?: string;
  preprocessing: PreprocessMode;
  top1: number | null;
  top1Source?: string;
  license: string;
  /** Parameters stored in the file, for its size. */
  params: number;
  includeTop?: boolean;
  origin: string;
}

/** The ImageNet entry of a keras.applications file, as Keras' own source declares it. */
export function kerasImagenetWeights(args: KerasFileArgs): PretrainedWeights {
  const algorithm: ChecksumAlgorithm = args.hash?.length === 64 ? 'sha256' : 'md5';
  return {
    tag: 'imagenet',
    fileName: args.fileName ?? args.url.split('/').pop()!,
    url: args.url,
    checksum: args.hash ? { algorithm, digest: args.hash } : null,
    ...(args.checksumNote ? { checksumNote: args.checksumNote } : {}),
    layout: 'keras-weights',
    includeTop: args.includeTop ?? false,
    preprocessing: args.preprocessing,
    top1: args.top1,
    top1Source: args.top1Source ?? KERAS_TABLE,
    license: args.license,
    downloadMB: float32MB(args.params),
    origin: args.origin,
  };
}

/** One model of a keras.applications family, with its no-top ImageNet file as Keras' source declares it. */
export interface KerasApplicationVariant {
  name: string;
  build: ModelSpec['build'];
  description: string;
  stats: ModelStats;
  /** The no-top file's path under {@link KERAS_APPLICATIONS_URL}. */
  file: string;
  hash: string;
  top1: number;
  /** Parameters stored in the file. */
  params: number;
}

/** The registry entries of a keras.applications family: what its models share, then each one's own. */
export function kerasApplicationSpecs(
  common: Pick<ModelSpec, 'family' | 'defaultInputShape' | 'preprocessing' | 'about'>,
  weights: Pick<KerasFileArgs, 'preprocessing' | 'license' | 'origin'>,
  variants: KerasApplicationVariant[],
): ModelSpec[] {
  return variants.map(({ name, build, description, stats, file, hash, top1, params }) => ({
    ...common,
    name,
    stats,
    pretrained: [
      kerasImagenetWeights({ url: `${KERAS_APPLICATIONS_URL}/${file}`, hash, ...weights, top1, params }),
    ],
    build,
    description,
  }));
}
