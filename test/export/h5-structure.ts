import h5wasm from 'h5wasm/node';

/**
 * A text outline of an HDF5 file: every group, attribute (name, dtype kind, shape) and dataset
 * (shape, dtype), sorted, with string values kept only for `keepValues` attributes. Two files
 * written in the same layout have the same outline.
 */
export async function h5Outline(
  file: string,
  keepValues: (attr: string) => boolean = () => false,
): Promise<string[]> {
  await h5wasm.ready;
  const handle = new h5wasm.File(file, 'r');
  const lines: string[] = [];
  const visit = (group: InstanceType<typeof h5wasm.Group>, at: string): void => {
    for (const [name, attr] of Object.entries(group.attrs)) {
      const dtype = String(attr.dtype);
      const value = keepValues(name) ? ` = ${JSON.stringify(attr.value)}` : '';
      lines.push(`${at}@${name} ${dtype} ${JSON.stringify(attr.shape)}${value}`);
    }
    for (const key of group.keys()) {
      const child = group.get(key);
      if (child instanceof h5wasm.Group) {
        lines.push(`${at}${key}/`);
        visit(child, `${at}${key}/`);
      } else if (child instanceof h5wasm.Dataset) {
        lines.push(`${at}${key} ${JSON.stringify(child.shape)} ${String(child.dtype)}`);
      }
    }
  };
  try {
    visit(handle, '/');
  } finally {
    handle.close();
  }
  return lines.sort();
}
