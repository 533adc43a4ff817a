/**
 * Raw HTTP and WebSocket peers for the attack tests (issue 13): they send what a hostile or broken
 * client sends (any Host, Origin, body or frame), through the library entry points only, on loopback.
 */
import { request } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { loadAuthModel, startEmulator, type AuthModel, type Emulator, type EmulatorOptions } from '../../harness/index.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
let blog: Promise<AuthModel> | undefined;

/** The blog example (its Post model is readable with the API key) on an emulator of its own. */
export async function blogEmulator(options: Partial<EmulatorOptions> = {}): Promise<Emulator> {
  blog ??= loadAuthModel(path.join(ROOT, 'examples/blog/amplify/data/resource.ts'));
  return startEmulator({ model: await blog, log: () => undefined, ...options });
}

export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json(): unknown;
}

/** One HTTP request with exactly these headers and body (Host and Origin included), no retries. */
export function raw(url: string, options: { method?: string; path?: string; headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<RawAnswer> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, method: options.method ?? 'POST', path: options.path ?? u.pathname, headers: options.headers ?? {}, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** The `host` and `x-api-key` headers of an API-key caller, for HTTP and for realtime frames. */
export function apiKeyHeaders(emu: Emulator): Record<string, string> {
  return { host: new URL(emu.url).host, 'x-api-key': emu.apiKey! };
}

/** A raw realtime socket with the API key in the `header-…` subprotocol; frames are collected. */
export class RawSocket {
  readonly frames: Record<string, unknown>[] = [];
  closed: { code: number } | undefined;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (m) => this.frames.push(JSON.parse(m.toString()) as Record<string, unknown>));
    ws.on('close', (code) => (this.closed = { code }));
  }

  static async open(emu: Emulator): Promise<RawSocket> {
    const header = Buffer.from(JSON.stringify(apiKeyHeaders(emu))).toString('base64url');
    const ws = new WebSocket(emu.realtimeUrl, ['graphql-ws', `header-${header}`]);
    ws.on('error', () => undefined);
    const s = new RawSocket(ws);
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    });
    return s;
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  async init(): Promise<void> {
    this.send({ type: 'connection_init' });
    await until(() => this.frames.some((f) => f.type === 'connection_ack'));
  }

  /** A `start` for `query` with API-key authorization. */
  start(emu: Emulator, id: unknown, query = 'subscription { onCreatePost { id title } }', variables: unknown = {}): void {
    this.send({ id, type: 'start', payload: { data: JSON.stringify({ query, variables }), extensions: { authorization: apiKeyHeaders(emu) } } });
  }

  ofType(type: string): Record<string, unknown>[] {
    return this.frames.filter((f) => f.type === type);
  }

  close(): void {
    this.ws.terminate();
  }
}

/** Waits for a condition (never a fixed sleep); fails after `timeoutMs`. */
export async function until(cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for a condition');
    await new Promise((r) => setTimeout(r, 5));
  }
}
