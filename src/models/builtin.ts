import { alexnetSpec } from './alexnet.js';
import { alexnetMiniSpec } from './alexnet-mini.js';
import { davitSpecs } from './davit/spec.js';
import { googlenetSpec } from './googlenet.js';
import type { ModelSpec } from './types.js';

/** The models visionlab ships; other families may also call `registerModel` themselves. */
export function builtinModels(): ModelSpec[] {
  return [alexnetMiniSpec, alexnetSpec, googlenetSpec, ...davitSpecs];
}
