import type { LayersModel } from '@tensorflow/tfjs-layers';
import { VisionlabError } from '../errors.js';
import { builtinModels } from './builtin.js';
import type { BuildOptions, ModelSpec } from './types.js';

const registry = new Map<string, ModelSpec>();
let seeded = false;

function ensureSeeded(): void {
  if (seeded) return;
  seeded = true;
  for (const spec of builtinModels()) if (!registry.has(spec.name)) registry.set(spec.name, spec);
}

/** Adds a model to the zoo; a family file may call this when it is imported. Replaces an entry of the same name. */
export function registerModel(spec: ModelSpec): void {
  ensureSeeded();
  registry.set(spec.name, spec);
}

/** A model name as the zoo keys it: trimmed, lower case, `-` as `_` (`MobileNet-V2` → `mobilenet_v2`). */
export function normalizeModelName(name: string): string {
  return name.trim().toLowerCase().replace(/-/g, '_');
}

/** The zoo entry called `name` (case-insensitive; `-` and `_` are equivalent). */
export function getModel(name: string): ModelSpec {
  ensureSeeded();
  const spec = registry.get(normalizeModelName(name)) ?? registry.get(name);
  if (!spec) {
    throw new VisionlabError(
      `There is no model called "${name}" in the zoo.`,
      `Known models: ${listModels()
        .map((m) => m.name)
        .join(', ')} (run \`visionlab models\`).`,
    );
  }
  return spec;
}

/** Every registered model, sorted by name. */
export function listModels(): ModelSpec[] {
  ensureSeeded();
  return [...registry.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** Builds the model called `name` with the given options. */
export function buildModel(name: string, options: BuildOptions = {}): LayersModel {
  return getModel(name).build(options);
}
