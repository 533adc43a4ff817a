/**
 * One HTTP request and its whole answer as text, over a keep-alive pool per origin. undici's `request()` through an
 * Agent cost the test worker about twice the CPU per request of a pool's `dispatch` (its URL parsing, origin routing
 * and body stream); on the blog's run undici was a third of the worker's CPU while the cells ran.
 */
import { createRequire } from 'node:module';
import type { Pool as UndiciPool } from 'undici';

/**
 * undici's Pool alone, from its own file: undici's index also loads fetch, WebSocket, cookies and caches, which was
 * about 120 ms of the test worker's start-up on the critical path of every run (docs/architecture.md, Performance).
 * The file is not a public entry point, so package.json pins undici exactly and test/client/exchange.test.ts checks
 * that it is the index's Pool.
 */
const Pool = createRequire(import.meta.url)('undici/lib/dispatcher/pool.js') as typeof UndiciPool;

export interface Exchange {
  status: number;
  /** Header names lower-cased; repeated headers joined with `,`. */
  headers: Record<string, string>;
  /** The body decoded as UTF-8, without a byte order mark. */
  text: string;
}

const pools = new Map<string, UndiciPool>();

function poolFor(origin: string): UndiciPool {
  let pool = pools.get(origin);
  if (!pool) pools.set(origin, (pool = new Pool(origin, { connections: 64, keepAliveTimeout: 30_000 })));
  return pool;
}

/** `untimed`: the answer may take any time (a long poll that answers when something happens). */
export function exchange(url: URL, method: string, headers: Record<string, string>, body?: string, options: { untimed?: boolean } = {}): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let status = 0;
    let answered: Record<string, string> = {};
    const timeouts = options.untimed ? { headersTimeout: 0, bodyTimeout: 0 } : {};
    poolFor(url.origin).dispatch({ path: `${url.pathname}${url.search}`, method, headers, ...(body !== undefined ? { body } : {}), ...timeouts }, {
      onRequestStart() {},
      onResponseStart(_controller, statusCode, raw) {
        status = statusCode;
        answered = {};
        for (const k of Object.keys(raw)) {
          const v = raw[k];
          if (v !== undefined) answered[k.toLowerCase()] = Array.isArray(v) ? v.join(',') : v;
        }
      },
      onResponseData(_controller, chunk) {
        chunks.push(chunk);
      },
      onResponseEnd() {
        const text = chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8');
        // aws-amplify reads answers with fetch's text()/json(), whose UTF-8 decoding drops a byte order mark.
        resolve({ status, headers: answered, text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text });
      },
      onResponseError(_controller, error) {
        reject(error);
      },
    });
  });
}
