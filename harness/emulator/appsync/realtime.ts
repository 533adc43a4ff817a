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
import { MAX_SUBSCRIPTIONS_PER_CONNECTION, type EmulatorLimits } from './limits.js';

const CONNECTION_TIMEOUT_MS = 300_000;

export interface RealtimeDeps {
  engine: Engine;
  /** Authenticates a header set as a request to `path` with `body` (SigV4 covers both). */
  authenticate(headers: Record<string, string>, path: string, body: string, sourceIp: string, query?: string): Promise<AuthContext>;
  env(auth: AuthContext): AuthEnv;
  keepAliveMs: number;
  limits: EmulatorLimits;
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
  /** Set by the first `connection_init`; later ones wait for it. */
  init?: Promise<void>;
  initialized: boolean;
  subscriptions: Map<string, Subscription>;
  /** Ids of starts whose authorization is under way (each with its own ticket): they count against the limit and cannot be reused. */
  starting: Map<string, symbol>;
  keepAlive?: NodeJS.Timeout;
  /** Closes the connection if `connection_init` does not come in time. */
  initTimer?: NodeJS.Timeout;
  /** Deliveries are chained so each connection gets events in mutation order. */
  queue: Promise<void>;
}

export class Realtime {
  /** Subscription starts received. */
  readonly stats = { starts: 0 };
  private readonly wss: WebSocketServer;
  private readonly byMutation = new Map<string, Set<Subscription>>();
  private readonly open = new Set<Connection>();

  constructor(private readonly deps: RealtimeDeps) {
    this.wss = new WebSocketServer({
      noServer: true,
      // A larger frame closes the socket with 1009 instead of being buffered (docs/limits.md).
      maxPayload: deps.limits.requestBytes,
      handleProtocols: (protocols) => (protocols.has('graphql-ws') ? 'graphql-ws' : false),
    });
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, req));
  }

  /** Number of live subscriptions (benchmarks and tests read it). */
  get size(): number {
    let n = 0;
    for (const c of this.open) n += c.subscriptions.size;
    return n;
  }

  /** Open connections. */
  get connections(): number {
    return this.open.size;
  }

  /** Keep-alive timers running (one per initialized connection). */
  get keepAliveTimers(): number {
    let n = 0;
    for (const c of this.open) if (c.keepAlive) n++;
    return n;
  }

  private accept(ws: WebSocket, req: IncomingMessage): void {
    const connection: Connection = {
      ws,
      handshake: handshakeHeaders(req),
      sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
      initialized: false,
      subscriptions: new Map(),
      starting: new Map(),
      queue: Promise.resolve(),
    };
    connection.initTimer = setTimeout(() => ws.close(1008, 'connection_init not received'), this.deps.limits.connectionInitTimeoutMs);
    connection.initTimer.unref();
    this.open.add(connection);
    ws.on('message', (raw) => {
      let message: unknown;
      try {
        message = JSON.parse(raw.toString());
      } catch {
        return this.badFrame(connection, 'Message is not valid JSON');
      }
      if (!message || typeof message !== 'object' || Array.isArray(message)) return this.badFrame(connection, 'Message is not a JSON object');
      this.onMessage(connection, message as Record<string, unknown>).catch((e: unknown) => this.deps.log(`realtime message failed: ${(e as Error)?.stack ?? String(e)}`));
    });
    ws.on('close', () => this.drop(connection));
    ws.on('error', () => this.drop(connection));
  }

  private badFrame(c: Connection, message: string): void {
    this.send(c, { type: 'error', payload: { errors: [{ errorType: 'BadRequestException', message }] } });
  }

  private async onMessage(c: Connection, message: Record<string, unknown>): Promise<void> {
    switch (message.type) {
      case 'connection_init':
        // One initialization (and one keep-alive timer) per connection; a repeated init is acknowledged again.
        if (!c.init) return (c.init = this.init(c));
        await c.init;
        if (c.initialized) this.send(c, { type: 'connection_ack', payload: { connectionTimeoutMs: CONNECTION_TIMEOUT_MS } });
        return;
      case 'start':
        this.stats.starts++;
        return this.start(c, message);
      case 'stop': {
        const id = String(message.id);
        const sub = c.subscriptions.get(id);
        if (sub) this.unsubscribe(sub);
        // A start still being authorized is abandoned: it will not be registered.
        c.starting.delete(id);
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
    clearTimeout(c.initTimer);
    if (!this.open.has(c)) return;
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

  /**
   * Checks made as the `start` arrives, before anything is awaited, so that a burst cannot pass the
   * limit and one id cannot be started twice (docs/limits.md); the id stays reserved while the start
   * is authorized, then the subscription is registered or refused.
   */
  private async start(c: Connection, message: Record<string, unknown>): Promise<void> {
    const id = message.id;
    const refuse = (errorType: string, text: string) => this.send(c, { id, type: 'error', payload: { errors: [{ errorType, message: text }] } });
    if (typeof id !== 'string') return refuse('BadRequestException', 'The subscription id must be a string');
    if (!c.initialized) return refuse('BadRequestException', 'connection_init must come first');
    if (c.subscriptions.has(id) || c.starting.has(id)) return refuse('DuplicatedOperationError', `Duplicated operation with id ${id}`);
    if (c.subscriptions.size + c.starting.size >= MAX_SUBSCRIPTIONS_PER_CONNECTION) {
      return refuse('MaxSubscriptionsReachedError', `Max number of ${MAX_SUBSCRIPTIONS_PER_CONNECTION} subscriptions reached`);
    }
    const ticket = Symbol(id);
    c.starting.set(id, ticket);
    try {
      const sub = await this.subscription(c, id, message);
      // Registered only if not stopped meanwhile and the socket is still open.
      if (sub && c.starting.get(id) === ticket && this.open.has(c)) this.register(sub);
    } finally {
      if (c.starting.get(id) === ticket) c.starting.delete(id);
    }
  }

  /** Authorizes and prepares a start; refusals are answered here. */
  private async subscription(c: Connection, id: string, message: Record<string, unknown>): Promise<Subscription | undefined> {
    const fail = (errors: unknown[]): undefined => void this.send(c, { id, type: 'error', payload: { errors } });
    const payload = (message.payload ?? {}) as { data?: unknown; extensions?: { authorization?: Record<string, string> } };
    if (typeof payload.data !== 'string') return fail([{ errorType: 'BadRequestException', message: 'payload.data must be a JSON string of {query, variables}' }]);
    let body: { query: string; variables?: Record<string, unknown>; operationName?: string };
    try {
      body = JSON.parse(payload.data) as typeof body;
    } catch {
      return fail([{ errorType: 'BadRequestException', message: 'payload.data is not valid JSON' }]);
    }
    if (!isObject(body) || typeof body.query !== 'string' || (body.variables !== undefined && body.variables !== null && !isObject(body.variables))) {
      return fail([{ errorType: 'BadRequestException', message: 'payload.data must be a JSON string of {query, variables}' }]);
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
    return { id, connection: c, prepared: started.prepared, setup: started.setup, ctx };
  }

  private register(sub: Subscription): void {
    const c = sub.connection;
    c.subscriptions.set(sub.id, sub);
    for (const m of sub.prepared.mutations) {
      let set = this.byMutation.get(m);
      if (!set) this.byMutation.set(m, (set = new Set()));
      set.add(sub);
    }
    this.send(c, { id: sub.id, type: 'start_ack' });
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
    if (!this.open.delete(c)) return;
    clearTimeout(c.initTimer);
    clearInterval(c.keepAlive);
    c.keepAlive = undefined;
    c.starting.clear();
    for (const sub of c.subscriptions.values()) this.unsubscribe(sub);
  }

  private send(c: Connection, message: unknown): void {
    if (c.ws.readyState !== c.ws.OPEN) return;
    // A client that stops reading would have its events buffered here for ever (docs/limits.md).
    if (c.ws.bufferedAmount > this.deps.limits.realtimeBacklogBytes) return c.ws.terminate();
    c.ws.send(JSON.stringify(message));
  }

  close(): void {
    for (const c of [...this.open]) {
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

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
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
