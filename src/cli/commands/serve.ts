import type { Command } from 'commander';
import { VisionlabError } from '../../errors.js';
import { parsePort } from '../../flags/index.js';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('open the dashboard: runs, live training curves, comparisons and predictions')
    .option('--port <port>', 'port to listen on (0 picks a free one)', '6006')
    .option('--runs <dir>', 'the runs folder', 'runs')
    .option(
      '--host <host>',
      'address to bind; other machines can reach the dashboard only if you say so',
      '127.0.0.1',
    )
    .option(
      '--allow-remote',
      'allow binding a non-loopback --host; the API then needs the token printed at start',
    )
    .action(async (opts: { port: string; runs: string; host: string; allowRemote?: boolean }) => {
      // Imported on use: the dashboard pulls in the chart and model code, which other commands do not need.
      const { startServer } = await import('../../serve/index.js');
      let server;
      try {
        server = await startServer({
          runsDir: opts.runs,
          port: parsePort(opts.port),
          host: opts.host,
          allowRemote: opts.allowRemote === true,
        });
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
          throw new VisionlabError(
            `cannot listen on ${opts.host}:${opts.port} (${code})`,
            'Pick another port with --port, or stop what is using it.',
          );
        }
        throw err;
      }
      const url = server.token ? `${server.url}/?token=${server.token}` : server.url;
      console.log(`visionlab dashboard: ${url}  (runs in ${server.store.runsDir}; Ctrl+C to stop)`);
      if (server.token)
        console.log('other machines can reach it: share the URL with its token only with whom you trust');
      const running = server;
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          void running.close().then(resolve);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });
}
