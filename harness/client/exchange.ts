/**
 * One HTTP request and its whole answer as text, over a keep-alive pool per origin. undici's `request()` through an
 * Agent cost the test worker about twice the CPU per request of a pool's `dispatch` (its URL parsing, origin routing
 * and body stream); on the blog's run undici was a third of the worker's CPU while the cells ran.
 */
import { Pool } from 'undici';

export interface Exchange {
  status: number;
  /** Header names lower-cased; repeated headers joined with `,`. */
  headers: Record<string, string>;
  /** The body decoded as UTF-8, without a byte order mark. */
  text: string;
}

const pools = new Map<string, Pool>();

function poolFor(origin: string): Pool {
  let pool = pools.get(origin);
  if (!pool) pools.set(origin, (pool = new Pool(origin, { connections: 64, keepAliveTimeout: 30_000 })));
  return pool;
}

export function exchange(url: URL, method: string, headers: Record<string, string>, body?: string): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let status = 0;
    let answered: Record<string, string> = {};
    poolFor(url.origin).dispatch({ path: `${url.pathname}${url.search}`, method, headers, ...(body !== undefined ? { body } : {}) }, {
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
