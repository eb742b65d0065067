import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { Limiter } from '../data/concurrency.js';
import { isValidRunName, openRunStore, type RunStore } from '../track/index.js';
import { runCurvesSpec } from './chart-specs.js';
import { compareRuns } from './compare-runs.js';
import { HttpError, sendError, sendJson } from './http-error.js';
import { checkImage, DEFAULT_MAX_UPLOAD_BYTES, DEFAULT_MAX_UPLOAD_PIXELS, readBody } from './image-upload.js';
import { remoteToken, RequestGuard, TOKEN_COOKIE } from './request-guard.js';
import { RunModelCache } from './run-model.js';
import { streamRunEvents } from './run-events.js';
import { contentTypeOf, listFiles, readListed, vendorFiles, webDir } from './static-files.js';

export interface ServeOptions {
  runsDir: string;
  /** 0 picks a free port. Default 6006. */
  port?: number;
  /** Default 127.0.0.1: the dashboard is for this machine unless asked otherwise. */
  host?: string;
  maxUploadBytes?: number;
  /** How often a live run's files are checked, ms. Default 500. */
  pollMs?: number;
  /** Binding anything but loopback is refused unless this is set; a token then guards the API. */
  allowRemote?: boolean;
  /** The token for a remote bind; default a random one (see `DashboardServer.token`). */
  token?: string;
  /** Most uploaded pixels (width × height) decoded for a prediction. Default 40 MP. */
  maxUploadPixels?: number;
  /** Uploads decoded and classified at once; the others wait. Default 2. */
  maxConcurrentPredictions?: number;
  /** Most event streams open at once. Default 64. */
  maxEventStreams?: number;
}

export interface DashboardServer {
  url: string;
  port: number;
  host: string;
  /** Set when bound to a non-loopback address: API requests must carry it. */
  token?: string;
  store: RunStore;
  close(): Promise<void>;
}

/** Run artefacts the dashboard may hand out: plain names with these endings, directly in the run folder. */
const ARTIFACT = /^[A-Za-z0-9_][A-Za-z0-9._-]*\.(svg|png|html|json|csv)$/;
const COMPARE_LIMIT = 8;

function segments(pathname: string): string[] {
  try {
    return pathname.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    throw new HttpError(400, 'malformed URL encoding');
  }
}

/** Requested `?pollMs=` below this is raised to it: many fast pollers would cost the server its CPU. */
const MIN_CLIENT_POLL_MS = 250;

/** Serves the dashboard: the runs list, run pages with live curves, comparisons and predictions. */
export async function startServer(options: ServeOptions): Promise<DashboardServer> {
  const runsDir = path.resolve(options.runsDir);
  const host = options.host ?? '127.0.0.1';
  const maxUploadBytes = options.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES;
  const pollMs = options.pollMs ?? 500;
  const maxUploadPixels = options.maxUploadPixels ?? DEFAULT_MAX_UPLOAD_PIXELS;
  const maxEventStreams = options.maxEventStreams ?? 64;
  const token = remoteToken(host, options.allowRemote ?? false, options.token);
  let eventStreams = 0;
  // Decoding takes memory in proportion to the pixels: a few at a time keep the server's peak bounded.
  const predictions = new Limiter(options.maxConcurrentPredictions ?? 2);
  const store = await openRunStore(runsDir);
  const models = new RunModelCache();
  const web = await listFiles(webDir());
  const vendor = new Map(Object.entries(vendorFiles()));
  let syncing: Promise<unknown> | null = null;

  /** One folder scan at a time; concurrent requests share it. */
  async function sync(): Promise<void> {
    syncing ??= store.sync().finally(() => (syncing = null));
    await syncing;
  }

  async function runDir(name: string): Promise<string> {
    if (!isValidRunName(name)) throw new HttpError(400, `"${name}" is not a valid run name`);
    const dir = path.join(runsDir, name);
    // lstat: a symlinked "run" could lead out of the runs folder, so it is not one.
    const stat = await fs.lstat(dir).catch(() => null);
    if (!stat?.isDirectory()) throw new HttpError(404, `no run named "${name}" in ${runsDir}`);
    return dir;
  }

  async function runDetail(name: string): Promise<object> {
    const dir = await runDir(name);
    await store.recordRun(dir);
    const detail = store.get(name);
    if (!detail) throw new HttpError(404, `no run named "${name}"`);
    const files = [...(await listFiles(dir)).keys()].filter((f) => ARTIFACT.test(f)).sort();
    return { ...detail, files };
  }

  function sendFile(res: ServerResponse, name: string, body: Buffer, cache = 'no-cache'): void {
    res.writeHead(200, {
      'content-type': contentTypeOf(name),
      'content-length': body.length,
      'cache-control': cache,
      'x-content-type-options': 'nosniff',
    });
    res.end(body);
  }

  async function handleRun(
    req: IncomingMessage,
    res: ServerResponse,
    parts: string[],
    url: URL,
  ): Promise<void> {
    const [name, action, file] = parts;
    const method = req.method ?? 'GET';
    if (action === 'predict') {
      if (method !== 'POST') throw new HttpError(405, 'predict takes POST with the image file as the body');
      const dir = await runDir(name);
      const bytes = await readBody(req, maxUploadBytes);
      const image = await checkImage(bytes, maxUploadPixels);
      const result = await predictions.run(() => models.predict(name, dir, bytes));
      sendJson(res, 200, { ...result, image });
      return;
    }
    if (method !== 'GET') throw new HttpError(405, `${method} is not allowed here`);
    if (action === undefined) return sendJson(res, 200, await runDetail(name));
    if (action === 'curves-spec' && parts.length === 2) {
      const dir = await runDir(name);
      await store.recordRun(dir);
      const detail = store.get(name);
      return sendJson(res, 200, runCurvesSpec(detail?.history ?? [], detail?.restoredEpoch ?? undefined));
    }
    if (action === 'events' && parts.length === 2) {
      const requested = Number(url.searchParams.get('pollMs'));
      const interval =
        Number.isFinite(requested) && requested > 0 ? Math.max(requested, MIN_CLIENT_POLL_MS) : pollMs;
      const dir = await runDir(name);
      if (eventStreams >= maxEventStreams) {
        throw new HttpError(503, `${maxEventStreams} event streams are open already; close some pages`);
      }
      eventStreams++;
      res.on('close', () => eventStreams--);
      return streamRunEvents(req, res, dir, { pollMs: interval });
    }
    if (action === 'files' && parts.length === 3) {
      if (!ARTIFACT.test(file)) throw new HttpError(400, `"${file}" is not a run file the dashboard serves`);
      const files = await listFiles(await runDir(name));
      return sendFile(res, file, await readListed(files, file));
    }
    throw new HttpError(404, `no such endpoint: ${url.pathname}`);
  }

  async function handleApi(
    req: IncomingMessage,
    res: ServerResponse,
    parts: string[],
    url: URL,
  ): Promise<void> {
    const [resource, ...rest] = parts;
    if (resource === 'runs' && rest.length === 0) {
      if (req.method !== 'GET') throw new HttpError(405, `${req.method} is not allowed here`);
      await sync();
      return sendJson(res, 200, { runsDir, runs: store.list() });
    }
    if (resource === 'runs') return handleRun(req, res, rest, url);
    if (resource === 'compare' && rest.length === 0) {
      const names = url.searchParams
        .getAll('run')
        .flatMap((n) => n.split(','))
        .filter(Boolean);
      if (names.length < 1 || names.length > COMPARE_LIMIT) {
        throw new HttpError(400, `compare takes 1 to ${COMPARE_LIMIT} runs (?run=a&run=b)`);
      }
      const dirs = [];
      for (const name of names) dirs.push(await runDir(name));
      return sendJson(res, 200, await compareRuns(dirs));
    }
    throw new HttpError(404, `no such endpoint: ${url.pathname}`);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const parts = segments(url.pathname);
    guard.check(req, url, parts[0] === 'api');
    if (token !== undefined && url.searchParams.get('token') === token) {
      res.setHeader('set-cookie', `${TOKEN_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`);
    }
    if (parts[0] === 'api') return handleApi(req, res, parts.slice(1), url);
    if (req.method !== 'GET' && req.method !== 'HEAD')
      throw new HttpError(405, `${req.method} is not allowed here`);
    if (parts.length === 0) return sendFile(res, 'index.html', await readListed(web, 'index.html'));
    if (parts.length === 1 && parts[0] === 'favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    if (parts[0] === 'static' && parts.length === 2)
      return sendFile(res, parts[1], await readListed(web, parts[1]));
    if (parts[0] === 'vendor' && parts.length === 2) {
      return sendFile(res, parts[1], await readListed(vendor, parts[1]), 'max-age=3600');
    }
    throw new HttpError(404, `no such page: ${url.pathname}`);
  }

  const guard = new RequestGuard({ host, token });
  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (err instanceof HttpError) return sendError(res, err.status, err.message);
      sendError(res, 500, (err as Error).message ?? 'internal error');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 6006, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  guard.listeningOn(address.port);
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${urlHost}:${address.port}`,
    port: address.port,
    host,
    token,
    store,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      models.dispose();
      store.close();
    },
  };
}
