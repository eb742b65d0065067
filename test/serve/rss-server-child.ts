// A dashboard in its own process, so that a test can read its peak memory: prints its port, then answers
// each line on stdin with `VmRSS VmHWM` in kB from /proc.
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { startServer } from '../../src/serve/index.js';

const server = await startServer({ runsDir: process.argv[2], port: 0 });
console.log(`port ${server.port}`);
const kb = (field: string) =>
  Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(readFileSync('/proc/self/status', 'utf8'))?.[1]);
for await (const line of createInterface({ input: process.stdin })) {
  if (line === 'quit') break;
  console.log(`rss ${kb('VmRSS')} ${kb('VmHWM')}`);
}
await server.close();
