import { resolveOptions } from '../options.js';
import { KCA_RELEASES_URL, float32MB } from '../pretrained.js';
import type { BuildOptions, ModelSpec, PretrainedWeights } from '../types.js';
import { DAVIT_ARCHITECTURES, buildDavit, type DavitName } from './davit.js';

const DESCRIPTIONS: Record<DavitName, string> = {
  davit_t: 'DaViT-T, dual attention vision transformer (28.4M parameters, arXiv 2204.03645)',
  davit_s: 'DaViT-S, dual attention vision transformer (49.7M parameters)',
  davit_b: 'DaViT-B, dual attention vision transformer (87.9M parameters)',
};

/**
 * keras_cv_attention_models' DaViT releases (whole models with their ImageNet head): the MD5s of
 * `PRETRAINED_DICT` in keras_cv_attention_models/davit/davit.py, top-1 and parameters from its README.
 */
const WEIGHTS: Record<DavitName, { md5: string; top1: number; params: number }> = {
  davit_t: { md5: '040a215cbcf1c0ce06db665cdcf6f9ac', top1: 82.8, params: 28_360_168 },
  davit_s: { md5: 'b95558071c639815f4ab2e9d09a4141f', top1: 84.2, params: 49_745_896 },
  davit_b: { md5: '89e50de7a70ea7b2404f8f57369d8015', top1: 84.6, params: 87_954_408 },
};

function davitWeights(name: DavitName): PretrainedWeights {
  const w = WEIGHTS[name];
  return {
    tag: 'imagenet',
    fileName: `${name}_imagenet.h5`,
    url: `${KCA_RELEASES_URL}/davit/${name}_imagenet.h5`,
    checksum: { algorithm: 'md5', digest: w.md5 },
    layout: 'keras-model',
    includeTop: true,
    preprocessing: 'torch',
    top1: w.top1,
    top1Source: 'keras_cv_attention_models/davit/README.md (the DaViT paper, arXiv 2204.03645)',
    license: 'MIT (dingmyu/davit weights; keras_cv_attention_models conversion, MIT)',
    downloadMB: float32MB(w.params),
    origin: 'Ding et al., converted from PyTorch by keras_cv_attention_models',
  };
}

function davitSpec(name: DavitName): ModelSpec {
  return {
    name,
    family: 'DaViT',
    defaultInputShape: [224, 224, 3],
    defaultClasses: 1000,
    preprocessing: 'torch',
    description: DESCRIPTIONS[name],
    about: {
      paper:
        'Ding, Xiao, Codella, Luo, Wang & Yuan, "DaViT: Dual Attention Vision Transformers", arXiv 2204.03645',
      year: 2022,
      introduced:
        'Dual attention: blocks alternate spatial attention inside local windows (tokens attend to tokens) with channel attention across the whole image (channel groups attend to each other), both linear in the image size.',
      stages:
        'stem_; stack1_ … stack4_ (stackN_blockM_, with stackN_downsample_ before stages 2–4); pre_output_ln',
    },
    pretrained: [davitWeights(name)],
    build(options: BuildOptions = {}) {
      const opts = resolveOptions(options, { name, inputShape: [224, 224, 3], minSize: 32 });
      return buildDavit(
        DAVIT_ARCHITECTURES[name],
        {
          inputShape: opts.inputShape,
          numClasses: opts.includeTop ? opts.classes : 0,
          classifierActivation: opts.classifierActivation ?? 'linear',
          pooling: opts.pooling,
        },
        opts.name,
      );
    },
  };
}

/** DaViT-T/S/B for the model zoo (torch preprocessing, as keras_cv_attention_models). */
export const davitSpecs: ModelSpec[] = (Object.keys(DAVIT_ARCHITECTURES) as DavitName[]).map(davitSpec);
