/**
 * AppSync's real-time WebSocket protocol (`graphql-ws` subprotocol): both handshakes (`?header=…`
 * and the `header-<base64url>` subprotocol), connection_init/ack, keep-alives, start/start_ack, data,
 * error, stop/complete. Every `start` is authorized on its own; events are the mutation's response
 * payload, delivered in mutation order on each connection.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { AuthContext } from './authenticate.js';
import type { AuthEnv } from './auth/checks.js';
import { AuthFailure } from '../failure.js';
import type { Engine } from './engine.js';
import type { PreparedSubscription, Published, RequestContext, SubscriptionSetup } from './request.js';
import { matches, type Filter } from './filters.js';

export const MAX_SUBSCRIPTIONS_PER_CONNECTION = 100;
const CONNECTION_TIMEOUT_MS = 300_000;

export interface RealtimeDeps {
  engine: Engine;
  /** Authenticates a header set as a request to `path` with `body` (SigV4 covers both). */
  authenticate(headers: Record<string, string>, path: string, body: string, sourceIp: string, query?: string): Promise<AuthContext>;
  env(auth: AuthContext): AuthEnv;
  keepAliveMs: number;
  log(line: string): void;
}

interface Subscription {
  id: string;
  connection: Connection;
  prepared: PreparedSubscription;
  setup: SubscriptionSetup;
  ctx: RequestContext;
}

interface Connection {
  ws: WebSocket;
  handshake: Record<string, string> | undefined;
  sourceIp: string;
  initialized: boolean;
  subscriptions: Map<string, Subscription>;
  keepAlive?: NodeJS.Timeout;
  /** Deliveries are chained so each connection gets events in mutation order. */
  queue: Promise<void>;
}

export class Realtime {
  /** Subscription starts received. */
  readonly stats = { starts: 0 };
  private readonly wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (protocols) => (protocols.has('graphql-ws') ? 'graphql-ws' : false),
  });
  private readonly byMutation = new Map<string, Set<Subscription>>();
  private readonly connections = new Set<Connection>();

  constructor(private readonly deps: RealtimeDeps) {}

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, req));
  }

  /** Number of live subscriptions (benchmarks and tests read it). */
  get size(): number {
    let n = 0;
    for (const c of this.connections) n += c.subscriptions.size;
    return n;
  }

  private accept(ws: WebSocket, req: IncomingMessage): void {
    const connection: Connection = {
      ws,
      handshake: handshakeHeaders(req),
      sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
      initialized: false,
      subscriptions: new Map(),
      queue: Promise.resolve(),
    };
    this.connections.add(connection);
    ws.on('message', (raw) => {
      let message: Record<string, unknown>;
      try {
        message = JSON.parse(raw.toString()) as Record<string, unknown>;
      } catch {
        this.send(connection, { type: 'error', payload: { errors: [{ errorType: 'BadRequestException', message: 'Message is not valid JSON' }] } });
        return;
      }
      this.onMessage(connection, message).catch((e: unknown) => this.deps.log(`realtime message failed: ${(e as Error)?.stack ?? String(e)}`));
    });
    ws.on('close', () => this.drop(connection));
    ws.on('error', () => this.drop(connection));
  }

  private async onMessage(c: Connection, message: Record<string, unknown>): Promise<void> {
    switch (message.type) {
      case 'connection_init':
        return this.init(c);
      case 'start':
        this.stats.starts++;
        return this.start(c, message);
      case 'stop': {
        const id = String(message.id);
        const sub = c.subscriptions.get(id);
        if (sub) this.unsubscribe(sub);
        this.send(c, { type: 'complete', id });
        return;
      }
      default:
        this.send(c, { type: 'error', payload: { errors: [{ errorType: 'UnsupportedOperation', message: `Unknown message type ${String(message.type)}` }] } });
    }
  }

  /** The connection's own credentials (the handshake header) are checked at init. */
  private async init(c: Connection): Promise<void> {
    if (!c.handshake) return this.refuse(c, 'Valid authorization header not provided.');
    try {
      await this.deps.authenticate(c.handshake, '/graphql/connect', '{}', c.sourceIp);
    } catch (e) {
      if (!(e instanceof AuthFailure)) throw e;
      return this.refuse(c, e.message);
    }
    c.initialized = true;
    this.send(c, { type: 'connection_ack', payload: { connectionTimeoutMs: CONNECTION_TIMEOUT_MS } });
    this.send(c, { type: 'ka' });
    c.keepAlive = setInterval(() => this.send(c, { type: 'ka' }), this.deps.keepAliveMs);
    c.keepAlive.unref();
  }

  private refuse(c: Connection, message: string): void {
    this.send(c, {
      type: 'connection_error',
      payload: { errors: [{ errorType: 'com.amazonaws.deepdish.graphql.auth#UnauthorizedException', message, errorCode: 400 }] },
    });
    c.ws.close(1000);
  }

  private async start(c: Connection, message: Record<string, unknown>): Promise<void> {
    const id = typeof message.id === 'string' ? message.id : randomUUID();
    const fail = (errors: unknown[]) => this.send(c, { id, type: 'error', payload: { errors } });
    if (!c.initialized) return fail([{ errorType: 'BadRequestException', message: 'connection_init must come first' }]);
    if (c.subscriptions.size >= MAX_SUBSCRIPTIONS_PER_CONNECTION) {
      return fail([{ errorType: 'MaxSubscriptionsReachedError', message: `Max number of ${MAX_SUBSCRIPTIONS_PER_CONNECTION} subscriptions reached` }]);
    }
    const payload = (message.payload ?? {}) as { data?: unknown; extensions?: { authorization?: Record<string, string> } };
    if (typeof payload.data !== 'string') return fail([{ errorType: 'BadRequestException', message: 'payload.data must be a JSON string of {query, variables}' }]);
    let body: { query: string; variables?: Record<string, unknown>; operationName?: string };
    try {
      body = JSON.parse(payload.data) as typeof body;
    } catch {
      return fail([{ errorType: 'BadRequestException', message: 'payload.data is not valid JSON' }]);
    }
    const headers = lowerKeys(payload.extensions?.authorization ?? {});
    let auth: AuthContext;
    try {
      auth = await this.deps.authenticate(headers, '/graphql', payload.data, c.sourceIp, body.query);
    } catch (e) {
      if (!(e instanceof AuthFailure)) throw e;
      // Over HTTP a bad signature is a 403 InvalidSignatureException; on a start AppSync answers BadRequestException.
      return fail([{ errorType: e.errorType === 'InvalidSignatureException' ? 'BadRequestException' : e.errorType, message: e.message }]);
    }
    const ctx: RequestContext = { auth, env: this.deps.env(auth), requestId: randomUUID(), headers, published: [] };
    const started = await this.deps.engine.startSubscription(body, ctx);
    if (!started.ok) return fail(started.errors);
    const sub: Subscription = { id, connection: c, prepared: started.prepared, setup: started.setup, ctx };
    c.subscriptions.set(id, sub);
    for (const m of sub.prepared.mutations) {
      let set = this.byMutation.get(m);
      if (!set) this.byMutation.set(m, (set = new Set()));
      set.add(sub);
    }
    this.send(c, { id, type: 'start_ack' });
  }

  /** Delivers the results of a request's mutations to matching subscribers. */
  publish(published: Published[], data: Record<string, unknown> | null | undefined): void {
    if (!data) return;
    for (const p of published) {
      const payload = data[p.responseKey];
      if (payload === null || payload === undefined) continue;
      for (const sub of this.byMutation.get(p.mutation) ?? []) {
        if (!passes(sub.setup, payload as Record<string, unknown>)) continue;
        const c = sub.connection;
        c.queue = c.queue.then(async () => {
          if (!c.subscriptions.has(sub.id)) return;
          const event = await this.deps.engine.renderEvent(sub.prepared, payload, sub.ctx);
          this.send(c, { id: sub.id, type: 'data', payload: event });
        }).catch((e: unknown) => this.deps.log(`event delivery failed: ${(e as Error)?.message ?? String(e)}`));
      }
    }
  }

  private unsubscribe(sub: Subscription): void {
    sub.connection.subscriptions.delete(sub.id);
    for (const m of sub.prepared.mutations) this.byMutation.get(m)?.delete(sub);
  }

  private drop(c: Connection): void {
    if (!this.connections.delete(c)) return;
    if (c.keepAlive) clearInterval(c.keepAlive);
    for (const sub of c.subscriptions.values()) this.unsubscribe(sub);
  }

  private send(c: Connection, message: unknown): void {
    if (c.ws.readyState === c.ws.OPEN) c.ws.send(JSON.stringify(message));
  }

  close(): void {
    for (const c of [...this.connections]) {
      c.ws.terminate();
      this.drop(c);
    }
    this.wss.close();
  }
}

function passes(setup: SubscriptionSetup, payload: Record<string, unknown>): boolean {
  if (setup.filter) return matches(payload, setup.filter as Filter);
  return Object.entries(setup.argumentFilter).every(([k, v]) => payload[k] === v);
}

function lowerKeys(o: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(o)) if (typeof v === 'string') out[k.toLowerCase()] = v;
  return out;
}

/** The auth headers of the handshake: `header-<base64url>` subprotocol, or the `header` query parameter. */
function handshakeHeaders(req: IncomingMessage): Record<string, string> | undefined {
  const protocols = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
  const fromProtocol = protocols.find((p) => p.startsWith('header-'));
  const encoded = fromProtocol ? fromProtocol.slice('header-'.length) : new URL(req.url ?? '/', 'http://x').searchParams.get('header');
  if (!encoded) return undefined;
  try {
    return lowerKeys(JSON.parse(Buffer.from(encoded, fromProtocol ? 'base64url' : 'base64').toString('utf8')) as Record<string, unknown>);
  } catch {
    return undefined;
  }
}
