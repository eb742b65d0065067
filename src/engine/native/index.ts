export type NativeRegistration =
  { ok: true; details: Record<string, string> } | { ok: false; reason: string };

/** Registers the `native` backend when its addon is built; reports why not otherwise. */
export async function registerNativeBackend(): Promise<NativeRegistration> {
  return { ok: false, reason: 'the native addon is not part of this build' };
}
