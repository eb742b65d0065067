import type { ModelGraph } from './graph-walk.js';

const PYTHON_RESERVED = new Set(
  'False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield self x torch nn F keras layers ops forward training inputs'.split(
    ' ',
  ),
);

/** A Keras layer name as a Python identifier (`block_1/conv` → `block_1_conv`, keywords get a `_`). */
export function pythonIdentifier(name: string): string {
  let id = name.replace(/[^A-Za-z0-9_]/g, '_');
  if (/^[0-9]/.test(id)) id = `l_${id}`;
  return PYTHON_RESERVED.has(id) ? `${id}_` : id;
}

/** A model name as a Python class name (`alexnet_mini` → `AlexnetMini`). */
export function pythonClassName(name: string): string {
  const camel = name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((p) => p[0].toUpperCase() + p.slice(1))
    .join('');
  return camel ? camel.replace(/^([0-9])/, 'M$1') : 'Model';
}

/**
 * Variable names for generated Python that reads top to bottom: the input and any tensor read only
 * by the next line (or returned right after it) are `x`; tensors read later or more than once
 * (branch points, shortcuts) keep their layer's name.
 */
export function readableVariables(graph: ModelGraph): Map<string, string> {
  const consumers = new Map<string, number[]>();
  graph.nodes.forEach((node, i) =>
    node.inputs.forEach((t) => consumers.set(t, [...(consumers.get(t) ?? []), i])),
  );
  // The returned tensor is read by the line after the last node.
  consumers.set(graph.outputs[0], [...(consumers.get(graph.outputs[0]) ?? []), graph.nodes.length]);
  const lastUse = (t: string): number => Math.max(-1, ...(consumers.get(t) ?? []));
  const names = new Map<string, string>([[graph.inputs[0], 'x']]);
  let xOwner = graph.inputs[0];
  const used = new Set(['x']);
  graph.nodes.forEach((node, i) => {
    node.outputs.forEach((t, k) => {
      const uses = consumers.get(t) ?? [];
      if (node.outputs.length === 1 && uses.length === 1 && uses[0] === i + 1 && lastUse(xOwner) <= i) {
        xOwner = t;
        names.set(t, 'x');
        return;
      }
      let name = pythonIdentifier(node.layer.name + (node.outputs.length > 1 ? `_${k}` : ''));
      while (used.has(name)) name = `${name}_`;
      used.add(name);
      names.set(t, name);
    });
  });
  return names;
}
