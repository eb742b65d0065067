// Preloaded (node --import) into a visionlab process that a reliability test kills: with
// VISIONLAB_TEST_KILL_ON_WRITE=<file name>:<n>, the n-th atomic write of that file writes half its bytes to
// the temp file and then SIGKILLs the process, exactly as a power cut or the OOM killer would mid-write.
import { promises as fs } from 'node:fs';
import path from 'node:path';

const spec = process.env.VISIONLAB_TEST_KILL_ON_WRITE;
if (spec) {
  const at = spec.lastIndexOf(':');
  const name = spec.slice(0, at);
  const nth = Number(spec.slice(at + 1));
  let seen = 0;
  const open = fs.open.bind(fs);
  fs.open = (async (file: Parameters<typeof fs.open>[0], ...rest: [string?, number?]) => {
    const handle = await open(file, ...rest);
    const base = path.basename(String(file));
    if (!base.startsWith(`.${name}.`) || !base.endsWith('.tmp') || ++seen !== nth) return handle;
    handle.writeFile = (async (data: string | Uint8Array) => {
      const bytes = typeof data === 'string' ? Buffer.from(data) : data;
      await handle.write(bytes.subarray(0, bytes.length >> 1));
      process.kill(process.pid, 'SIGKILL');
      await new Promise(() => {});
    }) as typeof handle.writeFile;
    return handle;
  }) as typeof fs.open;
}
