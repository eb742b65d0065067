import path from 'node:path';
import { VisionlabError } from '../../errors.js';

/** Letters, digits, `.`, `_`, `-`; no leading dot; what `visionlab train --name` accepts as a folder name. */
const RUN_NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,199}$/;

export function isValidRunName(name: string): boolean {
  return RUN_NAME.test(name) && !name.includes('..');
}

/** The run's folder inside `runsDir`; throws for a name that could leave it (`..`, `/`, NUL, shell characters). */
export function runDirFor(runsDir: string, name: string): string {
  const invalid = () =>
    new VisionlabError(
      `"${name}" is not a valid run name`,
      'Run names use letters, digits, ".", "_" and "-" only, and do not start with a dot.',
    );
  if (!isValidRunName(name)) throw invalid();
  const root = path.resolve(runsDir);
  const dir = path.resolve(root, name);
  if (path.dirname(dir) !== root) throw invalid();
  return dir;
}
