import { mkdtempSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before } from 'node:test';
import { initTrainingBackend } from '../train/helpers.js';
import { writeImageFolder } from '../train/image-folder.js';

/** A temporary folder with a small class-folder image set in `data/`, made before the file's tests and removed after. */
export function imageFolderFixture(prefix: string): { tmp: string; data: string } {
  const tmp = mkdtempSync(path.join(os.tmpdir(), prefix));
  const data = path.join(tmp, 'data');
  before(async () => {
    await initTrainingBackend();
    await writeImageFolder(data, { perClass: 12 });
  });
  after(async () => {
    await fs.rm(tmp, { recursive: true, force: true });
  });
  return { tmp, data };
}

/** The training config the tuning tests share: nsfwjs' MobileNetV2 on 32×32 images of `data`, batch 8, seed 7. */
export function tinyTrainConfig(data: string, runsDir: string) {
  return {
    data,
    model: 'mobilenet_v2_nsfwjs',
    inputShape: [32, 32, 3] as [number, number, number],
    batchSize: 8,
    runsDir,
    seed: 7,
  };
}

/** A finished trial's report with the given loss, as an executor would return it. */
export function scriptedReport(
  request: { id: string; config: { runsDir: string; epochs: number } },
  valLoss: number,
) {
  return {
    id: request.id,
    runDir: path.join(request.config.runsDir, request.id),
    epochs: request.config.epochs,
    secondsPerEpoch: 1,
    valLoss,
    valAccuracy: 1 - valLoss,
    history: [],
  };
}
