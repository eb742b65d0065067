import { existsSync } from 'node:fs';
import path from 'node:path';
import { VisionlabError } from '../../errors.js';
import { RUN_FILES } from './files.js';

/**
 * A run given as its folder, or as its name inside `runsDir`; it must hold `config.json` (or, with
 * `searches`, be a freeze-point search's folder, holding `search.json`).
 */
export function resolveRunDir(run: string, runsDir = 'runs', purpose = '', searches = false): string {
  const candidates = [path.resolve(run), path.resolve(runsDir, run)];
  for (const dir of candidates) if (existsSync(path.join(dir, RUN_FILES.config))) return dir;
  if (searches) {
    for (const dir of candidates) if (existsSync(path.join(dir, RUN_FILES.search))) return dir;
  }
  throw new VisionlabError(
    `No run "${run}"${purpose ? ` ${purpose}` : ''} (looked for ${candidates.map((c) => path.join(c, RUN_FILES.config)).join(' and ')}).`,
    'Pass the run folder, or its name inside --runs-dir (see `visionlab runs`).',
  );
}
