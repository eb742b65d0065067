// `npm run bench [-- --json] [--quick] [--only name1,name2]`: runs every section of ./sections.ts and
// prints its figures; with --json, one JSON object on stdout (progress goes to stderr).
import os from 'node:os';
import { useBackend } from './backends.js';
import { sections, type BenchOptions, type BenchSection } from './sections.js';

interface Args {
  json: boolean;
  quick: boolean;
  only?: Set<string>;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { json: false, quick: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--json') args.json = true;
    else if (a === '--quick') args.quick = true;
    else if (a === '--only') args.only = new Set((argv[++i] ?? '').split(','));
    else if (a.startsWith('--only=')) args.only = new Set(a.slice(7).split(','));
    else if (a === '--help' || a === '-h') {
      console.log('usage: npm run bench -- [--json] [--quick] [--only section[,section]]');
      console.log(`sections: ${sections.map((s) => `${s.name} (${s.description})`).join('; ')}`);
      process.exit(0);
    } else {
      console.error(`bench: unknown argument ${a} (try --help)`);
      process.exit(2);
    }
  }
  return args;
}

function printHuman(prefix: string, value: unknown): void {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) printHuman(prefix ? `${prefix}.${k}` : k, v);
    return;
  }
  const shown = typeof value === 'number' ? String(Number(value.toPrecision(4))) : JSON.stringify(value);
  console.log(`${prefix.padEnd(48)} ${shown}`);
}

async function runSection(section: BenchSection, options: BenchOptions): Promise<Record<string, unknown>> {
  if (section.backend) {
    const backend = await useBackend(section.backend);
    if (!backend.ok) return { skipped: backend.reason };
  }
  return section.run(options);
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const log = (line: string): void => {
    process.stderr.write(`${line}\n`);
  };
  const options: BenchOptions = { quick: args.quick, log };
  const result: Record<string, unknown> = {
    environment: {
      node: process.versions.node,
      cpus: os.availableParallelism(),
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      quick: args.quick,
    },
  };
  for (const section of sections) {
    if (args.only && !args.only.has(section.name)) continue;
    log(`bench: ${section.name} — ${section.description}`);
    const started = performance.now();
    try {
      result[section.name] = await runSection(section, options);
    } catch (err) {
      result[section.name] = { error: (err as Error).message };
      log(`bench: ${section.name} failed: ${(err as Error).stack ?? String(err)}`);
    }
    log(`bench: ${section.name} took ${((performance.now() - started) / 1000).toFixed(1)} s`);
    if (!args.json) printHuman(section.name, result[section.name]);
  }
  result.peakRssMiB = Math.round(process.resourceUsage().maxRSS / 1024);
  if (args.json) console.log(JSON.stringify(result));
  else printHuman('peakRssMiB', result.peakRssMiB);
}

await main();
