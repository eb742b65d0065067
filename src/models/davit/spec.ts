import { resolveOptions } from '../options.js';
import type { BuildOptions, ModelSpec } from '../types.js';
import { DAVIT_ARCHITECTURES, buildDavit, type DavitName } from './davit.js';

const DESCRIPTIONS: Record<DavitName, string> = {
  davit_t: 'DaViT-T, dual attention vision transformer (28.4M parameters, arXiv 2204.03645)',
  davit_s: 'DaViT-S, dual attention vision transformer (49.7M parameters)',
  davit_b: 'DaViT-B, dual attention vision transformer (87.9M parameters)',
};

function davitSpec(name: DavitName): ModelSpec {
  return {
    name,
    family: 'DaViT',
    defaultInputShape: [224, 224, 3],
    defaultClasses: 1000,
    preprocessing: 'torch',
    description: DESCRIPTIONS[name],
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
