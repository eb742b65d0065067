import os from 'node:os';
import path from 'node:path';

/** visionlab's data home: `VISIONLAB_HOME`, else `~/.cache/visionlab`. */
export function visionlabHome(): string {
  const fromEnv = process.env.VISIONLAB_HOME;
  return fromEnv && fromEnv.trim() !== ''
    ? path.resolve(fromEnv)
    : path.join(os.homedir(), '.cache', 'visionlab');
}

/** Where a pretrained file lives once downloaded: `<home>/weights/<fileName>`. */
export function cachedWeightsPath(fileName: string, home: string = visionlabHome()): string {
  return path.join(home, 'weights', fileName);
}
