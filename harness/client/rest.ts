/**
 * A REST client for API Gateway APIs that sends what aws-amplify v6's REST API functions send
 * (aws-amplify/amplify-js `packages/api-rest`): the URL is the endpoint and the path joined as strings;
 * library-level headers (`API.REST.headers({ apiName })`) then request-level ones, the request's winning,
 * keys lower-cased; a JSON body with `content-type: application/json; charset=UTF-8`; and a SigV4
 * signature (service `execute-api`) whenever the request has no `authorization` header and credentials
 * exist, also when it carries `x-api-key`. Without credentials the request goes out unsigned. No retries.
 */
import { redactHeaders } from './redact.js';
import { signRequest, type AwsCredentials } from './sigv4.js';
import { exchange } from './exchange.js';

export const REST_VERBS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD'] as const;
export type RestVerb = (typeof REST_VERBS)[number];

export interface RestClientOptions {
  apiName: string;
  /** `custom.API[apiName].endpoint` (CDK's RestApi.url, with its trailing slash). */
  endpoint: string;
  region: string;
  /** What `fetchAuthSession()` would give; none: unsigned requests. */
  credentials?: AwsCredentials | (() => Promise<AwsCredentials | undefined>);
  /** `Amplify.configure(…, { API: { REST: { headers } } })`. */
  libraryHeaders?: (options: { apiName: string }) => Record<string, string> | Promise<Record<string, string>>;
}

export interface RestCall {
  method: RestVerb | 'OPTIONS';
  /** Joined to the endpoint as a string, as aws-amplify does: `items`, not `/items`. */
  path: string;
  headers?: Record<string, string>;
  /** JSON-serialized unless a string. */
  body?: unknown;
  queryParams?: Record<string, string>;
}

export interface RestResult {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** The body parsed as JSON, when it is JSON. */
  json: unknown;
  latencyMs: number;
  /** What was sent, secrets redacted: evidence for reports. */
  sent: { method: string; url: string; headers: Record<string, string>; signed: boolean };
}

export class RestClient {
  constructor(readonly options: RestClientOptions) {}

  async send(call: RestCall): Promise<RestResult> {
    const url = new URL(this.options.endpoint + call.path);
    for (const [k, v] of Object.entries(call.queryParams ?? {})) url.searchParams.set(k, v);
    const merged: Record<string, string> = {};
    const library = this.options.libraryHeaders ? await this.options.libraryHeaders({ apiName: this.options.apiName }) : {};
    for (const [k, v] of Object.entries({ ...library, ...call.headers })) merged[k.toLowerCase()] = v;
    let body: string | undefined;
    if (call.body !== undefined) {
      body = typeof call.body === 'string' ? call.body : JSON.stringify(call.body);
      if (!/json/i.test(merged['content-type'] ?? '') && typeof call.body !== 'string') merged['content-type'] = 'application/json; charset=UTF-8';
    }
    let headers = merged;
    let signed = false;
    if (!('authorization' in merged)) {
      const credentials = typeof this.options.credentials === 'function' ? await this.options.credentials() : this.options.credentials;
      if (credentials) {
        headers = await signRequest(url, merged, body ?? '', credentials, this.options.region, { service: 'execute-api', method: call.method });
        signed = true;
      }
    }
    const started = performance.now();
    const { status, headers: responseHeaders, text } = await exchange(url, call.method, headers, body);
    const latencyMs = performance.now() - started;
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status, headers: responseHeaders, body: text, json, latencyMs, sent: { method: call.method, url: url.href, headers: redactHeaders(headers), signed } };
  }
}
