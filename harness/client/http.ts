/**
 * GraphQL over HTTP to an AppSync endpoint (emulated or deployed), over undici with keep-alive. Headers
 * follow aws-amplify v6: request-level custom headers replace client-level ones, may override
 * `authorization` / `x-api-key`, and then disable SigV4 signing.
 */
import { authHeaders, credentialsOf, mergeHeaders, resolveHeaders, type ClientAuth, type HeaderSource } from './auth.js';
import { redactDeep, redactHeaders } from './redact.js';
import { signRequest } from './sigv4.js';
import { exchange } from './exchange.js';

export interface GraphQLRequest {
  query: string;
  variables?: Record<string, unknown>;
}

export interface GraphQLError {
  message: string;
  errorType?: string | null;
  path?: (string | number)[] | null;
  [key: string]: unknown;
}

export interface GraphQLResult {
  status: number;
  data: Record<string, unknown> | null;
  errors: GraphQLError[];
  /** The raw JSON body (for 401/403 it holds AppSync's error body). */
  body: unknown;
  /** The body as received. */
  text: string;
  headers: Record<string, string>;
  requestId: string | undefined;
  latencyMs: number;
  /** What was sent, with secrets redacted: evidence for reports. */
  sent: { url: string; headers: Record<string, string>; body: unknown };
}

export interface RequestOptions {
  /** Replaces the client-level headers entirely (amplify-js semantics). */
  headers?: HeaderSource;
  /** Overrides the client's auth for this request. */
  auth?: ClientAuth;
}

export interface ClientOptions {
  url: string;
  auth: ClientAuth;
  headers?: HeaderSource;
  /** Headers configured at library level (`Amplify.configure(…, { API: { GraphQL: { headers } } })`). */
  libraryHeaders?: HeaderSource;
  userAgent?: string;
}

export class GraphQLClient {
  /** Parsed once: a persona's client sends every cell's requests. */
  private readonly url: URL;

  constructor(readonly options: ClientOptions) {
    this.url = new URL(options.url);
  }

  async graphql(req: GraphQLRequest, opts: RequestOptions = {}): Promise<GraphQLResult> {
    const url = this.url;
    const auth = opts.auth ?? this.options.auth;
    const body = JSON.stringify({ query: req.query, variables: req.variables ?? {} });
    const context = { method: 'POST', url: this.options.url, queryString: req.query };
    const custom = await resolveHeaders(opts.headers ?? this.options.headers, context);
    let headers = mergeHeaders(
      await authHeaders(auth),
      await resolveHeaders(this.options.libraryHeaders, context),
      custom,
      { 'x-amz-user-agent': this.options.userAgent ?? 'authmatrix/0.1 api/1' },
      { 'content-type': 'application/json; charset=UTF-8' },
    );
    // A custom authorization or x-api-key header disables IAM signing (amplify-js isIamAuthApplicable).
    if (auth.mode === 'iam' && !('authorization' in headers) && !('x-api-key' in headers)) {
      headers = await signRequest(url, headers, body, await credentialsOf(auth), auth.region);
    }
    const started = performance.now();
    const { status, headers: responseHeaders, text } = await exchange(url, 'POST', headers, body);
    const latencyMs = performance.now() - started;
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = text;
    }
    const json = (parsed && typeof parsed === 'object' ? parsed : {}) as { data?: Record<string, unknown> | null; errors?: GraphQLError[] };
    return {
      status,
      data: json.data ?? null,
      errors: Array.isArray(json.errors) ? json.errors : [],
      body: parsed,
      text,
      headers: responseHeaders,
      requestId: responseHeaders['x-amzn-requestid'],
      latencyMs,
      sent: { url: this.options.url, headers: redactHeaders(headers), body: redactDeep({ query: req.query, variables: req.variables ?? {} }) },
    };
  }
}
