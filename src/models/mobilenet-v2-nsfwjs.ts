import * as tfl from '@tensorflow/tfjs-layers';
import { VisionlabError } from '../errors.js';
import { loadNsfwjsMobileNetV2, NSFWJS_MOBILENET_V2_ORIGIN } from '../weights/nsfwjs-mobilenet-v2.js';
import { defineModel, L, modelSpec } from './layer-factory.js';
import { MOBILENET_V2_ABOUT, MOBILENET_V2_POOLING, mobileNetV2Features } from './mobilenet-v2.js';
import { poolingTop } from './heads.js';
import type { LoadedBackbone } from './types.js';

/** The backbone that ships pretrained inside the npm package nsfwjs (MIT): usable offline. */
export const NSFWJS_BACKBONE = 'mobilenet_v2_nsfwjs';

/**
 * The architecture of the MobileNetV2 that the npm package nsfwjs ships (Keras 2.2's MobileNetV2, alpha
 * 1.0, with its explicit `Conv1_pad`), behind the `nsfwjs_rescale` layer that applies nsfwjs' pixels/255:
 * the layers `pretrained: 'nsfwjs'` loads (see `loadNsfwjsMobileNetV2`), without their weights.
 */
export const buildMobileNetV2Nsfwjs = defineModel(
  { name: NSFWJS_BACKBONE, inputShape: [224, 224, 3], classes: 0, minSize: 32 },
  (opts) => {
    const input = tfl.input({ shape: opts.inputShape, name: 'input_1' });
    const scaled = L.rescaling({ scale: 1 / 255, offset: 0, name: 'nsfwjs_rescale' }).apply(
      input,
    ) as tfl.SymbolicTensor;
    const out = poolingTop(mobileNetV2Features(scaled, 1.0, true), opts, MOBILENET_V2_POOLING);
    return tfl.model({ inputs: input, outputs: out, name: opts.name });
  },
);

/** The backbone as nsfwjs ships it (its own topology), with the bundled weights or random ones. */
async function loadBackbone(options: {
  inputShape?: [number, number, number];
  pretrained: string | null;
}): Promise<LoadedBackbone> {
  const { pretrained } = options;
  if (pretrained && pretrained !== 'nsfwjs') {
    throw new VisionlabError(
      `${NSFWJS_BACKBONE} has only its bundled weights.`,
      'Use pretrained: "nsfwjs", or null for random weights.',
    );
  }
  const model = await loadNsfwjsMobileNetV2(
    options.inputShape ?? buildMobileNetV2Nsfwjs.defaults.inputShape,
    {
      weights: Boolean(pretrained),
    },
  );
  return pretrained
    ? { model, source: 'bundled', description: NSFWJS_MOBILENET_V2_ORIGIN }
    : { model, source: 'random', description: 'random initial weights' };
}

export const mobilenetV2NsfwjsSpec = modelSpec(buildMobileNetV2Nsfwjs, {
  family: 'MobileNet',
  loadBackbone,
  stats: { params: 2_257_984, flops: 618_817_472 },
  preprocessing: 'raw',
  description: 'MobileNetV2 with the weights bundled in the npm package nsfwjs: pretrained offline',
  about: {
    ...MOBILENET_V2_ABOUT,
    stages: `nsfwjs_rescale (pixels / 255), Conv1_pad, then ${MOBILENET_V2_ABOUT.stages}`,
  },
  pretrained: [
    {
      tag: 'nsfwjs',
      fileName: 'nsfwjs/dist/models/mobilenet_v2 (inside the npm package)',
      url: 'https://github.com/infinitered/nsfwjs/tree/master/models/mobilenet_v2',
      checksum: null,
      checksumNote:
        'ships inside the npm package nsfwjs@4; npm verifies the package against package-lock.json',
      layout: 'tfjs-bundled',
      includeTop: false,
      preprocessing: 'raw',
      top1: null,
      top1Source:
        "fine-tuned from ImageNet to nsfwjs' five classes; the nsfwjs README gives ~90% accuracy on those",
      license: 'MIT (nsfwjs, Infinite Red)',
      downloadMB: 0,
      origin: 'Keras MobileNetV2 fine-tuned by Infinite Red for nsfwjs, uint8-quantized',
    },
  ],
});
