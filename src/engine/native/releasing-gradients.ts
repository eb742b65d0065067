// Gradients that release memory as the backward pass goes. TF.js's `engine.gradients` keeps every
// tensor the forward pass saved for the backward pass, and every gradient it computes, until the whole
// backward pass ends: DaViT-T at 280², batch 4, held 2.8 GB at that moment. This version walks the
// same tape in the same order with the same gradient functions (so it computes the same numbers),
// and frees what a node leaves behind as soon as its gradient has run: the tensors it saved and the
// gradients of its outputs. Peak memory becomes the saved activations plus the gradients in flight.
//
// It replaces `gradients` on the engine while `native` is the backend, for first-order gradients
// (nested `tf.grad` keeps TF.js's own); VISIONLAB_RELEASING_GRADIENTS=0 turns it off.
import * as tf from '@tensorflow/tfjs-core';
import { NATIVE } from './kernel-utils.js';

interface TapeNode {
  id: number;
  kernelName: string;
  inputs: Record<string, tf.Tensor>;
  outputs: tf.Tensor[];
  saved?: tf.Tensor[];
  gradient?: (dys: (tf.Tensor | null)[]) => Record<string, () => tf.Tensor>;
}

/** The engine members this module uses (TypeScript-private in tfjs-core, public at run time). */
interface EngineInternals {
  state: { activeTape: TapeNode[] | null; gradientDepth: number };
  scopedRun<T>(start: () => void, end: () => void, f: () => T): T;
  startTape(): void;
  endTape(): void;
  tidy<T extends tf.TensorContainer>(name: string, f: () => T): T;
  backend: tf.KernelBackend;
  clone(x: tf.Tensor): tf.Tensor;
  makeTensorFromTensorInfo(info: tf.TensorInfo, backend?: tf.KernelBackend): tf.Tensor;
  gradients<T extends tf.Tensor>(
    f: () => T,
    xs: tf.Tensor[],
    dy?: T,
    allowNoGradients?: boolean,
  ): { value: T; grads: tf.Tensor[] };
}

/** The nodes on a path from some x to y, inputs not derived from any x pruned (as TF.js's tape does). */
export function nodesFromXsToY(tape: TapeNode[], xs: tf.Tensor[], y: tf.Tensor): TapeNode[] {
  const fromX = new Set(xs.map((x) => x.id));
  const nodesFromX = new Set<number>();
  for (const node of tape) {
    if (Object.values(node.inputs).some((input) => fromX.has(input.id))) {
      node.outputs.forEach((o) => fromX.add(o.id));
      nodesFromX.add(node.id);
    }
  }
  const toY = new Set([y.id]);
  const nodesToY = new Set<number>();
  for (let i = tape.length - 1; i >= 0; i--) {
    const node = tape[i];
    if (node.outputs.some((o) => toY.has(o.id))) {
      Object.values(node.inputs).forEach((input) => toY.add(input.id));
      nodesToY.add(node.id);
    }
  }
  return tape
    .filter((node) => nodesFromX.has(node.id) && nodesToY.has(node.id))
    .map((node) => ({
      ...node,
      inputs: Object.fromEntries(Object.entries(node.inputs).filter(([, input]) => fromX.has(input.id))),
    }));
}

/** Gradients by tensor id, with how many ids each gradient tensor is held under. */
class GradientMap {
  private readonly byId = new Map<number, tf.Tensor>();
  private readonly holders = new Map<tf.Tensor, number>();

  get(id: number): tf.Tensor | undefined {
    return this.byId.get(id);
  }

  set(id: number, t: tf.Tensor): void {
    const previous = this.byId.get(id);
    if (previous) this.drop(previous);
    this.byId.set(id, t);
    this.holders.set(t, (this.holders.get(t) ?? 0) + 1);
  }

  /** Removes the gradient of `id` and returns it (as a list of none or one). */
  take(id: number): tf.Tensor[] {
    const t = this.byId.get(id);
    if (!t) return [];
    this.byId.delete(id);
    this.drop(t);
    return [t];
  }

  holds(t: tf.Tensor): boolean {
    return this.holders.has(t);
  }

  private drop(t: tf.Tensor): void {
    const n = (this.holders.get(t) ?? 1) - 1;
    if (n > 0) this.holders.set(t, n);
    else this.holders.delete(t);
  }
}

function backpropagate(
  grads: GradientMap,
  tape: TapeNode[],
  keep: Set<number>,
  protect: Set<tf.Tensor>,
  tidy: (f: () => tf.Tensor[]) => tf.Tensor[],
): void {
  for (let i = tape.length - 1; i >= 0; i--) {
    const node = tape[i];
    const dys = node.outputs.map((o) => grads.get(o.id) ?? null);
    if (node.gradient == null)
      throw new Error(`Cannot compute gradient: gradient function not found for ${node.kernelName}.`);
    // One scope for the node: what its gradient function computes on the way (TF.js's Softmax
    // gradient multiplies dy by y before it is asked for anything) goes when its dxs are made.
    const inputs = Object.entries(node.inputs);
    const dxs = tidy(() => {
      const inputGradients = (node.gradient as NonNullable<TapeNode['gradient']>)(dys);
      return inputs.map(([inputName]) => {
        if (!(inputName in inputGradients)) {
          throw new Error(
            `Cannot backprop through input ${inputName}. Available gradients found: ${Object.keys(inputGradients)}.`,
          );
        }
        return inputGradients[inputName]();
      });
    });
    inputs.forEach(([inputName, x], k) => {
      const dx = dxs[k];
      if (dx.dtype !== 'float32') {
        throw new Error(
          `Error in gradient for op ${node.kernelName}. The gradient of input ${inputName} must have 'float32' dtype, but has '${dx.dtype}'`,
        );
      }
      if (!tf.util.arraysEqual(dx.shape, x.shape)) {
        throw new Error(
          `Error in gradient for op ${node.kernelName}. The gradient of input '${inputName}' has shape '${dx.shape}', which does not match the shape of the input '${x.shape}'`,
        );
      }
      const current = grads.get(x.id);
      if (current == null) {
        grads.set(x.id, dx);
      } else {
        grads.set(x.id, tf.add(current, dx));
        if (!grads.holds(current) && !protect.has(current)) current.dispose();
      }
    });
    // The node is done: what it saved, the gradients of its outputs and its gradients already added
    // into a sum are needed by no other node (unless one of them is still some tensor's gradient).
    const done = [...(node.saved ?? []), ...dxs];
    for (const o of node.outputs) if (!keep.has(o.id)) done.push(...(grads.take(o.id) ?? []));
    for (const t of done) if (!grads.holds(t) && !protect.has(t)) t.dispose();
  }
}

function releasingGradients<T extends tf.Tensor>(
  engine: EngineInternals,
  f: () => T,
  xs: tf.Tensor[],
  dy: T | undefined,
  allowNoGradients: boolean,
): { value: T; grads: tf.Tensor[] } {
  tf.util.assert(xs.length > 0, () => 'gradients() received an empty list of xs.');
  if (dy != null && dy.dtype !== 'float32')
    throw new Error(`dy must have 'float32' dtype, but has '${dy.dtype}'`);
  const y = engine.scopedRun(
    () => {
      engine.startTape();
      firstOrderForward = true;
    },
    () => {
      firstOrderForward = false;
      engine.endTape();
    },
    () => engine.tidy('forward', f),
  );
  tf.util.assert(y instanceof tf.Tensor, () => 'The result y returned by f() must be a tensor.');
  const tape = engine.state.activeTape ?? [];
  const filtered = nodesFromXsToY(tape, xs, y);
  if (!allowNoGradients && filtered.length === 0 && xs.length > 0) {
    throw new Error(
      'Cannot compute gradient of y=f(x) with respect to x. Make sure that the f you passed encloses all operations that lead from x to y.',
    );
  }
  return engine.tidy('backward', () => {
    const grads = new GradientMap();
    grads.set(y.id, dy == null ? tf.ones(y.shape) : dy);
    const protect = new Set(dy == null ? [] : [dy]);
    backpropagate(grads, filtered, new Set(xs.map((x) => x.id)), protect, (g) => engine.tidy('gradient', g));
    const result = xs.map((x) => grads.get(x.id) as tf.Tensor);
    // The tape's remaining saved tensors (nodes off the path from xs to y).
    for (const node of tape) for (const t of node.saved ?? []) t.dispose();
    engine.state.activeTape = null;
    return { value: y, grads: result };
  });
}

let installed = false;
/** True while the forward pass of a first-order gradient records its tape. */
let firstOrderForward = false;

/**
 * TF.js saves each tensor a gradient needs through `engine.clone`: an Identity kernel call, recorded on
 * the tape, plus a tape node of its own. Only a second-order gradient could flow through those nodes;
 * in a first-order forward pass the copy is made as the Identity kernel makes it (a new tensor on the
 * same data), without the dispatch and the two nodes. DaViT-T's training step saves 1,000 tensors.
 */
function installPlainSaves(engine: EngineInternals): void {
  const original = engine.clone.bind(engine);
  engine.clone = (x: tf.Tensor): tf.Tensor => {
    // A gradient taken inside the forward pass runs deeper, and a gradient of it may need the nodes.
    if (!firstOrderForward || engine.state.gradientDepth !== 1) return original(x);
    engine.backend.incRef(x.dataId);
    return engine.makeTensorFromTensorInfo({ dataId: x.dataId, shape: x.shape, dtype: x.dtype });
  };
}

/** Routes first-order gradients on `native` through the releasing version. */
export function installReleasingGradients(): void {
  if (installed) return;
  installed = true;
  const engine = tf.engine() as unknown as EngineInternals;
  installPlainSaves(engine);
  const original = engine.gradients.bind(engine);
  engine.gradients = function <T extends tf.Tensor>(
    f: () => T,
    xs: tf.Tensor[],
    dy?: T,
    allowNoGradients = false,
  ): { value: T; grads: tf.Tensor[] } {
    if (
      tf.getBackend() !== NATIVE ||
      engine.state.gradientDepth !== 0 ||
      process.env.VISIONLAB_RELEASING_GRADIENTS === '0'
    ) {
      return original(f, xs, dy, allowNoGradients);
    }
    return releasingGradients(engine, f, xs, dy, allowNoGradients);
  };
}
