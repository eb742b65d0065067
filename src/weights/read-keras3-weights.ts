import type { H5, H5Group } from './h5-module.js';
import { readWeight } from './h5-dataset.js';
import type { H5Layer } from './keras-h5-types.js';

const numeric = (a: string, b: string): number => Number(a) - Number(b);

/**
 * Keras 3's `model.weights.h5`: one group per layer at `layers/<path>` (the class name in snake case
 * with a counter, as Keras' saving_lib names them), its variables as datasets `vars/0`, `vars/1`, … and,
 * in recent versions, the layer's own name as the `name` attribute of `vars`. A nested model's layers
 * sit below its group, at `layers/<path>/layers/<path>`.
 */
export function readKeras3Layers(h5: H5, root: H5Group, file: string, prefix = 'layers'): H5Layer[] {
  const layers: H5Layer[] = [];
  const container = root.get(prefix);
  if (!(container instanceof h5.Group)) return layers;
  for (const key of container.keys()) {
    const group = container.get(key);
    if (!(group instanceof h5.Group)) continue;
    const path = `${prefix}/${key}`;
    const vars = group.get('vars');
    const name =
      vars instanceof h5.Group && 'name' in vars.attrs ? String(vars.get_attribute('name', true)) : key;
    const weights =
      vars instanceof h5.Group
        ? vars
            .keys()
            .sort(numeric)
            .map((i) => ({ ...readWeight(h5, vars, i, file, `${name}/vars/${i}`), name: `vars/${i}` }))
        : [];
    layers.push({ name, path, weights });
    if (group.get('layers') instanceof h5.Group) {
      for (const inner of readKeras3Layers(h5, root, file, `${path}/layers`)) {
        layers.push({ ...inner, nestedIn: inner.nestedIn ?? name });
      }
    }
  }
  return layers;
}
