import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { VisionlabError } from '../errors.js';
import { HttpError } from './http-error.js';

/** Header the dashboard's own pages send with every state-changing request; a cross-origin page cannot. */
export const REQUEST_HEADER = 'x-visionlab-request';
export const TOKEN_COOKIE = 'visionlab-token';

/** Addresses that only this machine can reach. */
export function isLoopbackAddress(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  if (bare === 'localhost' || bare === '::1') return true;
  return isIP(bare) === 4 && bare.startsWith('127.');
}

export interface RequestGuardOptions {
  /** The address the server is bound to. */
  host: string;
  /** Bound to a non-loopback address: every API request must carry the token. */
  token?: string;
}

function sameToken(given: string | undefined, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function cookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

/** The token a request carries: `Authorization: Bearer …`, `?token=…` or the cookie set by the first page. */
export function requestToken(req: IncomingMessage, url: URL): string | undefined {
  const auth = req.headers.authorization ?? '';
  const bearer = auth.toLowerCase().startsWith('bearer ') ? auth.slice(7).trim() : undefined;
  return bearer || (url.searchParams.get('token') ?? cookie(req, TOKEN_COOKIE));
}

/**
 * Who may talk to the dashboard. Bound to loopback, the Host header must name this machine exactly
 * (localhost, 127.0.0.1 or [::1] with the bound port), so a page whose DNS name was rebound to 127.0.0.1
 * is refused. Bound elsewhere, every API request needs the token printed at start. State-changing requests
 * must come from the dashboard's own origin and carry our request header or the token.
 */
export class RequestGuard {
  private hosts = new Set<string>();

  constructor(private readonly options: RequestGuardOptions) {}

  /** Sets the port the Host header must carry, once the server listens. */
  listeningOn(port: number): void {
    const names = ['localhost', '127.0.0.1', '[::1]'];
    const bound = isIP(this.options.host) === 6 ? `[${this.options.host}]` : this.options.host;
    if (!names.includes(bound)) names.push(bound);
    this.hosts = new Set(names.map((n) => `${n}:${port}`));
    if (port === 80) names.forEach((n) => this.hosts.add(n));
  }

  get token(): string | undefined {
    return this.options.token;
  }

  /** Throws the HttpError a request must be answered with, or returns when it may proceed. */
  check(req: IncomingMessage, url: URL, isApi: boolean): void {
    const host = (req.headers.host ?? '').toLowerCase();
    const token = this.options.token;
    const hasToken = token !== undefined && sameToken(requestToken(req, url), token);
    if (token === undefined && !this.hosts.has(host)) {
      throw new HttpError(403, 'requests must address localhost, 127.0.0.1 or [::1] with the dashboard port');
    }
    if (token !== undefined && isApi && !hasToken) {
      throw new HttpError(401, 'this dashboard needs its token: open the URL printed at start (…/?token=…)');
    }
    const method = req.method ?? 'GET';
    if (method === 'GET' || method === 'HEAD') return;
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== `http://${req.headers.host}`) {
      throw new HttpError(403, `requests from ${origin} are not allowed`);
    }
    const site = req.headers['sec-fetch-site'];
    if (site !== undefined && site !== 'same-origin' && site !== 'none') {
      throw new HttpError(403, `cross-site requests are not allowed (Sec-Fetch-Site: ${String(site)})`);
    }
    if (req.headers[REQUEST_HEADER] === undefined && !hasToken) {
      throw new HttpError(403, `state-changing requests need the ${REQUEST_HEADER} header or the token`);
    }
  }
}

/** The token for a non-loopback bind (refused without `allowRemote`); undefined on loopback. */
export function remoteToken(host: string, allowRemote: boolean, given?: string): string | undefined {
  if (isLoopbackAddress(host)) return undefined;
  if (!allowRemote) {
    throw new VisionlabError(
      `binding the dashboard to ${host} lets other machines reach it`,
      'Pass --allow-remote to do so on purpose (a token is then required), or bind 127.0.0.1.',
    );
  }
  return given ?? randomBytes(24).toString('hex');
}
