/** How a client authenticates, per AppSync auth mode, and the headers each mode sends (as aws-amplify v6). */
import type { AwsCredentials } from './sigv4.js';

export type ClientAuth =
  | { mode: 'apiKey'; apiKey: string }
  /** userPool and oidc send the token raw in `authorization` (amplify-js sends the access token). */
  | { mode: 'userPool' | 'oidc'; token: string | (() => Promise<string>) }
  | { mode: 'lambda'; token: string }
  | { mode: 'iam'; credentials: AwsCredentials | (() => Promise<AwsCredentials>); region: string }
  | { mode: 'none' };

export type HeaderValues = Record<string, string>;
/** Static headers, or a function of the request (amplify-js calls it with method, url and query string). */
export type HeaderSource = HeaderValues | ((request: { method: string; url: string; queryString: string }) => HeaderValues | Promise<HeaderValues>);

export async function authHeaders(auth: ClientAuth): Promise<HeaderValues> {
  switch (auth.mode) {
    case 'apiKey':
      return { 'x-api-key': auth.apiKey };
    case 'userPool':
    case 'oidc':
      return { authorization: typeof auth.token === 'function' ? await auth.token() : auth.token };
    case 'lambda':
      return { authorization: auth.token };
    default:
      return {};
  }
}

export async function credentialsOf(auth: Extract<ClientAuth, { mode: 'iam' }>): Promise<AwsCredentials> {
  return typeof auth.credentials === 'function' ? auth.credentials() : auth.credentials;
}

export async function resolveHeaders(source: HeaderSource | undefined, request: { method: string; url: string; queryString: string }): Promise<HeaderValues> {
  if (!source) return {};
  return typeof source === 'function' ? await source(request) : source;
}

/** amplify-js order: auth, then library, then custom headers, then the user agent; keys lower-cased in that order. */
export function mergeHeaders(...layers: HeaderValues[]): HeaderValues {
  const out: HeaderValues = {};
  for (const layer of layers) for (const [k, v] of Object.entries(layer)) out[k.toLowerCase()] = v;
  return out;
}
