// `node --import tsx bench/reliability.ts [--points N]`: kills `visionlab train` with SIGKILL in the middle
// of each of its writes (checkpoint, model, status, history, curves, metrics, charts, report: 26 points),
// recovers each run as a user would (--resume, evaluate, or the same command again), and counts what the
// hardening issue requires to be 0: runs that could not be recovered, temp files left behind, and epochs
// lost beyond the one in progress. Exits 1 when any count is not 0. The suite runs a short form
// (test/train/kill-points.test.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ALL_KILL_POINTS, killAndRecover } from '../test/helpers/kill-points.js';
import { writeImageFolder } from '../test/train/image-folder.js';

const limit = Number(process.argv[process.argv.indexOf('--points') + 1]) || ALL_KILL_POINTS.length;
const tmp = mkdtempSync(path.join(os.tmpdir(), 'visionlab-reliability-'));
try {
  const data = path.join(tmp, 'data');
  await writeImageFolder(data, { perClass: 10 });
  let notResumable = 0;
  let leftover = 0;
  let lost = 0;
  let notReached = 0;
  for (const [i, point] of ALL_KILL_POINTS.slice(0, limit).entries()) {
    const o = await killAndRecover(point, { data, runsDir: path.join(tmp, 'runs'), name: `kill-${i}` });
    notResumable += o.resumable ? 0 : 1;
    leftover += o.leftoverTempFiles.length;
    lost += o.epochsLostBeyondCurrent;
    notReached += o.killed ? 0 : 1;
    console.log(
      `${`${point.file}:${point.nth}`.padEnd(18)} killed ${o.killed ? 'yes' : 'NO '}  ${o.how.padEnd(12)} temp files left ${o.leftoverTempFiles.length}  epochs lost ${o.epochsLostBeyondCurrent}`,
    );
  }
  console.log(
    `\n${limit} kill points on ${os.cpus()[0]?.model ?? 'unknown CPU'}: not resumable ${notResumable}, temp files left ${leftover}, epochs lost beyond the one in progress ${lost}, kill points not reached ${notReached}`,
  );
  process.exitCode = notResumable + leftover + lost + notReached === 0 ? 0 : 1;
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
