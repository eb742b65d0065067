import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { SingleBar, Presets } from 'cli-progress';
import { VisionlabError } from '../errors.js';
import { cachedWeightsPath, visionlabHome } from './cache.js';
import { fileDigest } from './checksum.js';
import type { PretrainedSource } from './sources.js';

export interface EnsureWeightsOptions {
  /** Cache root (default `VISIONLAB_HOME` or `~/.cache/visionlab`). */
  home?: string;
  /** Show a progress bar on stderr (default: when stderr is a terminal). */
  progress?: boolean;
  /** Never touch the network; fail with instructions if the file is not cached. */
  offline?: boolean;
}

const digestText = (source: PretrainedSource): string =>
  source.checksum
    ? `${source.checksum.algorithm} ${source.checksum.digest}`
    : 'its publisher gives no checksum';

function placeItHint(source: PretrainedSource, target: string): string {
  return (
    `Download ${source.url} on a machine with internet access and place it at ${target} ` +
    `(${digestText(source)}); set VISIONLAB_HOME to use another cache folder.`
  );
}

async function downloadTo(source: PretrainedSource, target: string, progress: boolean): Promise<void> {
  let response: Response;
  try {
    response = await fetch(source.url);
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
    throw new VisionlabError(
      `Could not download ${source.fileName} (${cause}).`,
      placeItHint(source, target),
    );
  }
  if (!response.ok || !response.body) {
    throw new VisionlabError(
      `Could not download ${source.fileName}: HTTP ${response.status} from ${source.url}.`,
      placeItHint(source, target),
    );
  }
  mkdirSync(path.dirname(target), { recursive: true });
  const temp = path.join(
    path.dirname(target),
    `.${path.basename(target)}.${randomBytes(4).toString('hex')}.part`,
  );
  const total = Number(response.headers.get('content-length') ?? 0);
  const bar = progress
    ? new SingleBar(
        { format: `${source.fileName} [{bar}] {percentage}% {value}/{total} bytes`, stream: process.stderr },
        Presets.shades_classic,
      )
    : undefined;
  bar?.start(total || 1, 0);
  // Without a published digest there is nothing to compare; the file is kept as downloaded.
  const hash = createHash(source.checksum?.algorithm ?? 'sha256');
  const out = createWriteStream(temp);
  let received = 0;
  try {
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      hash.update(chunk);
      received += chunk.length;
      bar?.update(total ? received : 0);
      if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
    }
    await new Promise<void>((resolve, reject) =>
      out.end((err?: Error | null) => (err ? reject(err) : resolve())),
    );
  } catch (err) {
    out.destroy();
    await rm(temp, { force: true });
    throw new VisionlabError(
      `Download of ${source.fileName} broke off (${(err as Error).message}).`,
      placeItHint(source, target),
    );
  } finally {
    bar?.stop();
  }
  const digest = hash.digest('hex');
  if (source.checksum && digest !== source.checksum.digest) {
    await rm(temp, { force: true });
    throw new VisionlabError(
      `${source.fileName} from ${source.url} has ${source.checksum.algorithm} ${digest}, expected ${source.checksum.digest}; it was not kept.`,
      placeItHint(source, target),
    );
  }
  await rename(temp, target);
}

/**
 * Returns the path of a pretrained file in the cache, downloading it (with a progress bar) and checking
 * its digest the first time. A cached file with the wrong digest is reported, never used. Files whose
 * publisher gives no digest (`checksum: null`) are kept unverified.
 */
export async function ensurePretrainedFile(
  source: PretrainedSource,
  options: EnsureWeightsOptions = {},
): Promise<string> {
  const target = cachedWeightsPath(source.fileName, options.home ?? visionlabHome());
  if (existsSync(target)) {
    if (!source.checksum) return target;
    const digest = await fileDigest(target, source.checksum.algorithm);
    if (digest === source.checksum.digest) return target;
    throw new VisionlabError(
      `${target} has ${source.checksum.algorithm} ${digest}, expected ${source.checksum.digest}.`,
      `Delete it so visionlab downloads it again, or replace it with the right file. ${placeItHint(source, target)}`,
    );
  }
  if (options.offline) {
    throw new VisionlabError(
      `${source.fileName} is not in the cache and downloads are off.`,
      placeItHint(source, target),
    );
  }
  await downloadTo(source, target, options.progress ?? Boolean(process.stderr.isTTY));
  return target;
}
