import { readFileSync } from 'node:fs';

export function packageVersion(): string {
  const pkgUrl = new URL('../../../package.json', import.meta.url);
  const fallbackUrl = new URL('../../package.json', import.meta.url);
  for (const url of [pkgUrl, fallbackUrl]) {
    try {
      const pkg = JSON.parse(readFileSync(url, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'visionlab' && pkg.version) return pkg.version;
    } catch {
      // try the next location: the layout differs between dist/ and tsx runs
    }
  }
  return '0.0.0';
}
