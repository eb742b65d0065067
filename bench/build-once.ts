// Compiles a helper program of bench/ into bench/out/ once, again only when its source is newer.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const OUT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'out');

/**
 * The path of `name` built from `source` by `compiler` with `args` (placed after the source and `-o`),
 * or why it could not be built. `onBuild` runs before a build (to say that one is under way).
 */
export function buildOnce(
  source: string,
  name: string,
  compiler: string,
  args: string[],
  onBuild?: () => void,
): string | { skipped: string } {
  const binary = path.join(OUT, name);
  if (existsSync(binary) && statSync(binary).mtimeMs > statSync(source).mtimeMs) return binary;
  onBuild?.();
  mkdirSync(OUT, { recursive: true });
  const built = spawnSync(compiler, [source, '-o', binary, ...args], { encoding: 'utf8' });
  if (built.error) return { skipped: `${compiler} is not installed` };
  if (built.status !== 0) return { skipped: `${compiler} failed: ${(built.stderr ?? '').split('\n')[0]}` };
  return binary;
}
