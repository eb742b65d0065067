import { existsSync } from 'node:fs';
import path from 'node:path';
import { VisionlabError } from '../errors.js';

/** A run given as its folder, or as its name inside `runsDir`; it must hold `config.json`. */
export function resolveRunDir(run: string, runsDir = 'runs'): string {
  const candidates = [path.resolve(run), path.resolve(runsDir, run)];
  for (const dir of candidates) if (existsSync(path.join(dir, 'config.json'))) return dir;
  throw new VisionlabError(
    `No run "${run}" (looked for ${candidates.map((c) => path.join(c, 'config.json')).join(' and ')}).`,
    'Pass the run folder, or its name inside --runs-dir (see `visionlab runs`).',
  );
}
