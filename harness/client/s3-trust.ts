/**
 * Reaching the emulated S3 endpoint over TLS: its hosts (`<bucket>.s3.localhost:<port>`) resolve to the
 * loopback address and its throwaway CA is trusted, for this endpoint only. `s3Agent` serves authmatrix's
 * own S3 client; `trustEmulatedS3` routes the process's global `fetch` (what aws-amplify's storage
 * functions use) to that agent for the endpoint's origins and leaves every other request alone.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { Agent, Dispatcher, getGlobalDispatcher, setGlobalDispatcher } from 'undici';

export interface EmulatedS3Endpoint {
  /** `s3.localhost:<port>`: what aws-amplify takes as `customEndpoint`. */
  host: string;
  /** PEM of the CA that signed the endpoint's certificate. */
  caPem: string;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** `*.localhost` names are the loopback address (RFC 6761), whatever the system resolver says. */
function loopbackLookup(hostname: string, options: { all?: boolean } | undefined, callback: LookupCallback): void {
  if (hostname === 'localhost' || hostname.endsWith('.localhost')) {
    if (options?.all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
    else callback(null, '127.0.0.1', 4);
    return;
  }
  dnsLookup(hostname, { all: options?.all === true }, callback as (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void);
}

const agents = new Map<string, Agent>();

/** One keep-alive agent per endpoint (and CA). */
export function s3Agent(endpoint: EmulatedS3Endpoint): Agent {
  const key = `${endpoint.host}\n${endpoint.caPem}`;
  let agent = agents.get(key);
  if (!agent) {
    agent = new Agent({ connect: { ca: endpoint.caPem, lookup: loopbackLookup as never }, keepAliveTimeout: 4_000, connections: 64 });
    agents.set(key, agent);
  }
  return agent;
}

/** True when `origin` is the endpoint itself or one of its virtual-hosted buckets. */
export function isEndpointOrigin(endpoint: EmulatedS3Endpoint, origin: string | URL): boolean {
  const url = typeof origin === 'string' ? new URL(origin) : origin;
  return url.protocol === 'https:' && (url.host === endpoint.host || url.host.endsWith(`.${endpoint.host}`));
}

class EndpointRouter extends Dispatcher {
  constructor(
    private readonly endpoint: EmulatedS3Endpoint,
    private readonly fallback: Dispatcher,
  ) {
    super();
  }

  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    const target = options.origin && isEndpointOrigin(this.endpoint, options.origin) ? s3Agent(this.endpoint) : this.fallback;
    return target.dispatch(options, handler);
  }

  override close(): Promise<void> {
    return Promise.resolve();
  }

  override destroy(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * Lets the global `fetch` reach the emulated S3 endpoint (for aws-amplify's storage functions, which take
 * no agent). Returns the undo.
 */
export function trustEmulatedS3(endpoint: EmulatedS3Endpoint): () => void {
  const previous = getGlobalDispatcher();
  setGlobalDispatcher(new EndpointRouter(endpoint, previous));
  return () => setGlobalDispatcher(previous);
}
