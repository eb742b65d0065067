import { alexnetSpec } from './alexnet.js';
import { alexnetMiniSpec } from './alexnet-mini.js';
import { davitSpecs } from './davit/spec.js';
import { convnextSpecs } from './convnext.js';
import { densenetSpecs } from './densenet.js';
import { efficientnetSpecs } from './efficientnet.js';
import { efficientnetV2Specs } from './efficientnet-v2.js';
import { googlenetSpec } from './googlenet.js';
import { inceptionV3Spec } from './inception-v3.js';
import { mobilenetV2Spec } from './mobilenet-v2.js';
import { mobilenetV2NsfwjsSpec } from './mobilenet-v2-nsfwjs.js';
import { resnetSpecs } from './resnet.js';
import { smallCnnSpec } from './small-cnn.js';
import type { ModelSpec } from './types.js';
import { vggSpecs } from './vgg.js';
import { vitSpecs } from './vit.js';

/** The models visionlab ships; other families may also call `registerModel` themselves. */
export function builtinModels(): ModelSpec[] {
  return [
    alexnetMiniSpec,
    alexnetSpec,
    googlenetSpec,
    ...vggSpecs,
    ...resnetSpecs,
    mobilenetV2Spec,
    mobilenetV2NsfwjsSpec,
    ...efficientnetSpecs,
    ...efficientnetV2Specs,
    inceptionV3Spec,
    ...densenetSpecs,
    ...convnextSpecs,
    ...davitSpecs,
    ...vitSpecs,
    smallCnnSpec,
  ];
}
