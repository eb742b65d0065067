// Child process of run-store.test.ts: writes run folders and indexes each one right away, like a training would.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { recordRun, RunStore } from '../../src/track/index.js';
import { epochRow, historyCsv, writeRunFolder } from './fixtures.js';

const [runsDir, prefix, countText, startAtText] = process.argv.slice(2);
const count = Number(countText);
// Both writers start together so their transactions overlap.
await new Promise((resolve) => setTimeout(resolve, Math.max(0, Number(startAtText) - Date.now())));
const store = new RunStore(runsDir);
for (let i = 0; i < count; i++) {
  const dir = writeRunFolder(runsDir, `${prefix}-${i}`, { epochs: 1, state: { status: 'running' } });
  for (let epoch = 2; epoch <= 4; epoch++) {
    const rows = Array.from({ length: epoch }, (_, e) => epochRow(e + 1));
    writeFileSync(path.join(dir, 'history.csv'), historyCsv(rows));
    await store.recordRun(dir);
  }
  await store.sync();
  await recordRun(runsDir, dir);
}
store.close();
