/**
 * The AppSync real-time client: one WebSocket (`graphql-ws`), authorized at connect and on every
 * `start` with the headers each auth mode sends (SigV4-signed for IAM), as aws-amplify does it.
 * `subscribe()` resolves once the start is acknowledged and yields events; `stop()` ends it.
 */
import { WebSocket } from 'ws';
import { authHeaders, credentialsOf, mergeHeaders, resolveHeaders, type ClientAuth, type HeaderSource } from './auth.js';
import { signRequest } from './sigv4.js';

export interface RealtimeOptions {
  /** The GraphQL HTTP endpoint; the realtime URL is derived from it as aws-amplify does. */
  url: string;
  auth: ClientAuth;
  /** `subprotocol` (aws-amplify since 2024) or `query` (`?header=…&payload=e30=`, the documented form). */
  handshake?: 'subprotocol' | 'query';
  /** Extra headers sent with every start. */
  headers?: HeaderSource;
}

export interface SubscriptionEvent {
  data: Record<string, unknown> | null;
  errors?: { message: string; errorType?: string }[];
}

/** A refused connection or start: the server's error payload. */
export class RealtimeError extends Error {
  constructor(
    readonly kind: 'connection_error' | 'start_error' | 'closed' | 'timeout',
    readonly errors: { errorType?: string; message: string; errorCode?: number }[],
  ) {
    super(`${kind}: ${errors.map((e) => `${e.errorType ?? 'Error'}: ${e.message}`).join('; ')}`);
    this.name = 'RealtimeError';
  }
}

/** `https://<id>.appsync-api.<region>.amazonaws.com/graphql` → appsync-realtime-api; else `<url>/realtime`. */
export function realtimeUrl(graphqlUrl: string): string {
  const u = new URL(graphqlUrl);
  const standard = /^(\w+)\.appsync-api\.([\w-]+)\.amazonaws\.com(\.cn)?$/.exec(u.hostname);
  if (standard) return `wss://${u.hostname.replace('appsync-api', 'appsync-realtime-api')}/graphql`;
  return `${u.protocol === 'https:' ? 'wss' : 'ws'}://${u.host}${u.pathname.replace(/\/$/, '')}/realtime`;
}

/** The auth header object a mode sends at connect (`path: /graphql/connect`, body `{}`) or in a start. */
export async function realtimeAuthHeaders(graphqlUrl: string, auth: ClientAuth, body: string, connect: boolean): Promise<Record<string, string>> {
  const url = new URL(graphqlUrl);
  const host = url.host;
  switch (auth.mode) {
    case 'apiKey':
      return { host, 'x-amz-date': amzDate(), 'x-api-key': auth.apiKey };
    case 'userPool':
    case 'oidc':
    case 'lambda':
      return { Authorization: (await authHeaders(auth)).authorization!, host };
    case 'iam': {
      const target = new URL(connect ? `${url.origin}${url.pathname}/connect` : graphqlUrl);
      return signRequest(target, {
        accept: 'application/json, text/javascript',
        'content-encoding': 'amz-1.0',
        'content-type': 'application/json; charset=UTF-8',
      }, body, await credentialsOf(auth), auth.region);
    }
    case 'none':
      return { host };
  }
}

function amzDate(): string {
  return new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

interface Pending {
  resolve: () => void;
  reject: (e: RealtimeError) => void;
}

export class Subscription implements AsyncIterable<SubscriptionEvent> {
  /** Every event received so far, in order. */
  readonly events: SubscriptionEvent[] = [];
  private waiters: ((e: SubscriptionEvent | null) => void)[] = [];
  private cursor = 0;
  private ended = false;

  constructor(readonly id: string, private readonly client: RealtimeClient) {}

  push(e: SubscriptionEvent): void {
    this.events.push(e);
    const w = this.waiters.shift();
    if (w) {
      this.cursor++;
      w(e);
    }
  }

  end(): void {
    this.ended = true;
    for (const w of this.waiters.splice(0)) w(null);
  }

  /** The next event not yet consumed, or null after `timeoutMs` (or when the subscription ended). */
  next(timeoutMs = 5000): Promise<SubscriptionEvent | null> {
    if (this.cursor < this.events.length) return Promise.resolve(this.events[this.cursor++]!);
    if (this.ended) return Promise.resolve(null);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve(null);
      }, timeoutMs);
      const waiter = (e: SubscriptionEvent | null) => {
        clearTimeout(timer);
        resolve(e);
      };
      this.waiters.push(waiter);
    });
  }

  /**
   * Proves what arrived before a sentinel, without sleeping: after a forbidden mutation the actor makes
   * one the subscriber may see; events are ordered, so everything received before the sentinel is all
   * that the forbidden mutation delivered. `graceMs` adds a bounded wait for deployed targets.
   */
  async until(isSentinel: (e: SubscriptionEvent) => boolean, timeoutMs = 5000, graceMs = 0): Promise<{ before: SubscriptionEvent[]; sentinel: SubscriptionEvent | null }> {
    const before: SubscriptionEvent[] = [];
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const e = await this.next(Math.max(0, deadline - Date.now()));
      if (!e) return { before, sentinel: null };
      if (isSentinel(e)) {
        if (graceMs > 0) await new Promise((r) => setTimeout(r, graceMs));
        return { before, sentinel: e };
      }
      before.push(e);
    }
  }

  async *[Symbol.asyncIterator](): AsyncIterator<SubscriptionEvent> {
    for (;;) {
      const e = await this.next(Number.MAX_SAFE_INTEGER);
      if (!e) return;
      yield e;
    }
  }

  stop(): Promise<void> {
    return this.client.stop(this.id);
  }
}

export class RealtimeClient {
  private readonly subscriptions = new Map<string, Subscription>();
  private readonly pending = new Map<string, Pending>();
  private readonly stopping = new Map<string, () => void>();
  private counter = 0;
  /** Keep-alive messages received (tests read it). */
  keepAlives = 0;

  private constructor(private readonly ws: WebSocket, private readonly options: RealtimeOptions) {}

  static async connect(options: RealtimeOptions): Promise<RealtimeClient> {
    const header = Buffer.from(JSON.stringify(await realtimeAuthHeaders(options.url, options.auth, '{}', true)));
    const base = realtimeUrl(options.url);
    const ws = options.handshake === 'query'
      ? new WebSocket(`${base}?header=${encodeURIComponent(header.toString('base64'))}&payload=e30=`, ['graphql-ws'])
      : new WebSocket(base, ['graphql-ws', `header-${header.toString('base64url')}`]);
    const client = new RealtimeClient(ws, options);
    await new Promise<void>((resolve, reject) => {
      ws.once('error', (e) => reject(e));
      ws.once('open', () => {
        ws.send(JSON.stringify({ type: 'connection_init' }));
      });
      ws.on('message', (raw) => {
        const m = JSON.parse(raw.toString()) as { type: string; payload?: { errors?: RealtimeError['errors'] } };
        if (m.type === 'connection_ack') resolve();
        else if (m.type === 'connection_error') reject(new RealtimeError('connection_error', m.payload?.errors ?? []));
        client.onMessage(m as Record<string, unknown>);
      });
      ws.once('close', () => reject(new RealtimeError('closed', [{ message: 'the connection closed during the handshake' }])));
    });
    ws.on('close', () => {
      for (const s of client.subscriptions.values()) s.end();
    });
    return client;
  }

  private onMessage(m: Record<string, unknown>): void {
    const id = typeof m.id === 'string' ? m.id : undefined;
    switch (m.type) {
      case 'ka':
        this.keepAlives++;
        return;
      case 'start_ack':
        if (id) this.pending.get(id)?.resolve();
        return;
      case 'error': {
        const payload = m.payload as { errors?: unknown } | undefined;
        const errors = (Array.isArray(payload?.errors) ? payload.errors : payload?.errors ? [payload.errors] : []) as RealtimeError['errors'];
        if (id && this.pending.has(id)) this.pending.get(id)!.reject(new RealtimeError('start_error', errors));
        return;
      }
      case 'data':
        if (id) this.subscriptions.get(id)?.push(m.payload as SubscriptionEvent);
        return;
      case 'complete':
        if (id) {
          this.subscriptions.get(id)?.end();
          this.subscriptions.delete(id);
          this.stopping.get(id)?.();
        }
        return;
    }
  }

  /** Starts a subscription; rejects with the server's errors when the start is refused. */
  async subscribe(request: { query: string; variables?: Record<string, unknown> }, opts: { auth?: ClientAuth; headers?: HeaderSource; timeoutMs?: number } = {}): Promise<Subscription> {
    const id = `sub-${++this.counter}-${Date.now()}`;
    const data = JSON.stringify({ query: request.query, variables: request.variables ?? {} });
    const auth = opts.auth ?? this.options.auth;
    const custom = await resolveHeaders(opts.headers ?? this.options.headers, { method: 'POST', url: this.options.url, queryString: request.query });
    const authorization = mergeHeaders(await realtimeAuthHeaders(this.options.url, auth, data, false), custom);
    const sub = new Subscription(id, this);
    this.subscriptions.set(id, sub);
    let timer: NodeJS.Timeout | undefined;
    const acked = new Promise<void>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      // aws-amplify gives up after 15 s without start_ack.
      timer = setTimeout(() => reject(new RealtimeError('timeout', [{ message: `no start_ack within ${opts.timeoutMs ?? 15_000} ms` }])), opts.timeoutMs ?? 15_000);
    });
    this.ws.send(JSON.stringify({ id, type: 'start', payload: { data, extensions: { authorization } } }));
    try {
      await acked;
      return sub;
    } catch (e) {
      this.subscriptions.delete(id);
      throw e;
    } finally {
      clearTimeout(timer);
      this.pending.delete(id);
    }
  }

  stop(id: string): Promise<void> {
    if (!this.subscriptions.has(id)) return Promise.resolve();
    const done = new Promise<void>((resolve) => this.stopping.set(id, resolve));
    this.ws.send(JSON.stringify({ id, type: 'stop' }));
    return done.finally(() => this.stopping.delete(id));
  }

  close(): void {
    this.ws.close(1000);
  }
}
