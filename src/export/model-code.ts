import type * as tfl from '@tensorflow/tfjs-layers';
import { VisionlabError } from '../errors.js';
import { PREPROCESS_MODES } from '../models/preprocess.js';
import type { PreprocessMode } from '../models/types.js';
import { kerasCode } from './keras-code.js';
import { pytorchCode } from './pytorch.js';

/** The languages `summary --as` prints a model in. */
export const MODEL_CODE_LANGUAGES = ['pytorch', 'keras'] as const;

export type ModelCodeLanguage = (typeof MODEL_CODE_LANGUAGES)[number];

/** The model as source code: a PyTorch nn.Module or Keras functional code (no weights). */
export function modelCode(model: tfl.LayersModel, language: string, preprocessing?: string): string {
  const mode = (PREPROCESS_MODES as readonly string[]).includes(preprocessing ?? '')
    ? (preprocessing as PreprocessMode)
    : undefined;
  switch (language) {
    case 'pytorch':
      return pytorchCode(model, { preprocessing: mode }).code;
    case 'keras':
      return kerasCode(model, { preprocessing: mode });
    default:
      throw new VisionlabError(
        `Cannot print a model as "${language}".`,
        `Use --as ${MODEL_CODE_LANGUAGES.join(' or --as ')}.`,
      );
  }
}
