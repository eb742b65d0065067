import h5wasm from 'h5wasm/node';

export type H5 = typeof h5wasm;
export type H5Group = InstanceType<H5['Group']>;
export type H5File = InstanceType<H5['File']>;

/** h5wasm's node build reads and writes the host filesystem directly once its module is ready. */
export async function loadH5(): Promise<H5> {
  await h5wasm.ready;
  return h5wasm;
}
