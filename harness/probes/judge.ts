/**
 * Judging a probe: it passes only when the target refused it exactly as AppSync (or, for REST probes,
 * API Gateway) does. HTTP: the
 * expected status, `x-amzn-ErrorType` (amplify-js reads the part before any `:`), and AppSync's error
 * body `{"errors":[{"errorType","message"}]}` without data. Realtime: the expected `connection_error`
 * or `error` frame and its errorType (and errorCode). Server messages are scrubbed before they are quoted.
 */
import type { GraphQLResult } from '../client/http.js';
import type { RestResult } from '../client/rest.js';
import type { ExpectedRealtimeRefusal, ExpectedRefusal, HttpProbe, Probe, ProbeJudgement, RealtimeExchange, RealtimeProbe, RestProbe, RestRefusal } from './types.js';

/**
 * The credentials a probe sent, attached to its result under a symbol (not enumerable, so never
 * serialized), so that a server message echoing one of them is quoted without it.
 */
export const SENT_SECRETS = Symbol('authmatrix.sentSecrets');
const SECRET_HEADERS = new Set(['authorization', 'x-api-key', 'x-amz-security-token']);

export function withSentSecrets<T extends object>(result: T, ...headerSets: Record<string, string>[]): T {
  const secrets = headerSets.flatMap((h) => Object.entries(h).filter(([k]) => SECRET_HEADERS.has(k.toLowerCase())).map(([, v]) => v));
  Object.defineProperty(result, SENT_SECRETS, { value: secrets, enumerable: false });
  return result;
}

function sentSecrets(result: object): string[] {
  return (result as { [SENT_SECRETS]?: string[] })[SENT_SECRETS] ?? [];
}

export function judgeProbe(probe: HttpProbe, result: GraphQLResult): ProbeJudgement;
export function judgeProbe(probe: RealtimeProbe, result: RealtimeExchange): ProbeJudgement;
export function judgeProbe(probe: RestProbe, result: RestResult): ProbeJudgement;
export function judgeProbe(probe: Probe, result: GraphQLResult | RealtimeExchange | RestResult): ProbeJudgement;
export function judgeProbe(probe: Probe, result: GraphQLResult | RealtimeExchange | RestResult): ProbeJudgement {
  if (probe.transport === 'rest') {
    if (!('json' in result)) throw new Error(`${probe.id} is a REST probe; it was given another kind of answer`);
    return judgeRest(probe, result);
  }
  if ('json' in result) throw new Error(`${probe.id} is not a REST probe; it was given a REST answer`);
  if (probe.transport === 'http') {
    if ('transport' in result) throw new Error(`${probe.id} is an HTTP probe; it was given a WebSocket exchange`);
    return judgeHttp(probe, result);
  }
  if (!('transport' in result)) throw new Error(`${probe.id} is a WebSocket probe; it was given an HTTP result`);
  return judgeRealtime(probe, result);
}

function judgeHttp(probe: HttpProbe, r: GraphQLResult): ProbeJudgement {
  const want = describeHttpExpected(probe.expected);
  const header = errorTypeHeader(r);
  const body = (r.body && typeof r.body === 'object' ? r.body : {}) as { data?: unknown; errors?: unknown };
  const errors = Array.isArray(body.errors) ? (body.errors as { errorType?: unknown; message?: unknown }[]) : [];
  const first = errors[0];
  const message = typeof first?.message === 'string' ? scrub(first.message, sentSecrets(r)) : undefined;
  const observed = observedHttp(r, header);

  if (r.status >= 200 && r.status < 300) {
    return { pass: false, observed, detail: `expected ${want}, but ${probe.title} was accepted (${observed})` };
  }
  const problems: string[] = [];
  if (r.status !== probe.expected.status) problems.push(`status ${r.status} instead of ${probe.expected.status}`);
  if (header !== probe.expected.errorType) problems.push(header ? `x-amzn-ErrorType ${header} instead of ${probe.expected.errorType}` : 'no x-amzn-ErrorType header');
  if (errors.length !== 1 || !first || first.errorType !== probe.expected.errorType || message === undefined) {
    problems.push(`the body is not {"errors":[{"errorType":"${probe.expected.errorType}","message":…}]}`);
  }
  if ('data' in body) problems.push('the body has a data key');
  if (probe.expected.message !== undefined && first?.message !== probe.expected.message) problems.push(`message ${quote(message)} instead of ${quote(probe.expected.message)}`);
  if (problems.length) return { pass: false, observed, detail: `expected ${want}; observed ${observed}${message ? ` ${quote(message)}` : ''}: ${problems.join('; ')}` };
  return { pass: true, observed, detail: `refused as AppSync does: ${observed} ${quote(message)}` };
}

/**
 * API Gateway's own denial: the status and `x-amzn-ErrorType` of the gateway response, a `{"message"}`
 * body (its text compared where it is fixed). Anything that reached the integration is an acceptance,
 * whatever it answered.
 */
function judgeRest(probe: RestProbe, r: RestResult): ProbeJudgement {
  const e = probe.expected;
  const want = describeHttpExpected(e);
  const header = r.headers['x-amzn-errortype']?.split(':')[0];
  const body = (r.json && typeof r.json === 'object' ? r.json : {}) as { message?: unknown };
  const message = typeof body.message === 'string' ? scrub(body.message, sentSecrets(r)) : undefined;
  if ('httpApi' in e) return judgeHttpApi(e, want, r, header, body, message);
  const observed = `${r.status} ${header ?? (r.status < 400 ? 'from the integration' : '(no error type)')}`;
  if (!header) return { pass: false, observed, detail: `expected ${want}, but ${probe.title} ${r.status < 400 ? 'was let through' : 'was not refused by the gateway'} (${observed})` };
  const problems: string[] = [];
  if (r.status !== e.status) problems.push(`status ${r.status} instead of ${e.status}`);
  if (header !== e.errorType) problems.push(`x-amzn-ErrorType ${header} instead of ${e.errorType}`);
  if (!('message' in body)) problems.push('the body is not {"message":…}');
  if (e.message !== undefined && body.message !== e.message) problems.push(`message ${quote(message)} instead of ${quote(e.message)}`);
  if (problems.length) return { pass: false, observed, detail: `expected ${want}; observed ${observed}${message ? ` ${quote(message)}` : ''}: ${problems.join('; ')}` };
  return { pass: true, observed, detail: `refused as API Gateway does: ${observed} ${quote(message)}` };
}

/** An HTTP API's refusal: the status, a body that is only `{"message"}`, no `x-amzn-ErrorType`. */
function judgeHttpApi(e: Extract<RestRefusal, { httpApi: true }>, want: string, r: RestResult, header: string | undefined, body: { message?: unknown }, message: string | undefined): ProbeJudgement {
  const observed = `${r.status}${header ? ` ${header}` : ''}`;
  const problems: string[] = [];
  if (r.status !== e.status) problems.push(`status ${r.status} instead of ${e.status}`);
  if (header) problems.push(`an x-amzn-ErrorType ${header}`);
  if (Object.keys(body).length !== 1 || typeof body.message !== 'string') problems.push('the body is not only {"message":…}');
  if (e.message !== undefined && body.message !== e.message) problems.push(`message ${quote(message)} instead of ${quote(e.message)}`);
  if (problems.length) return { pass: false, observed, detail: `expected ${want}; observed ${observed}${message ? ` ${quote(message)}` : ''}: ${problems.join('; ')}` };
  return { pass: true, observed, detail: `refused as an HTTP API does: ${observed} ${quote(message)}` };
}

function judgeRealtime(probe: RealtimeProbe, x: RealtimeExchange): ProbeJudgement {
  const e = probe.expected;
  const want = describeRealtimeExpected(e);
  const first = x.errors[0];
  const message = first ? scrub(first.message, sentSecrets(x)) : undefined;
  const observed = `${x.answer}${first?.errorType ? ` ${first.errorType}` : ''}`;
  if (x.answer === 'connection_ack' || x.answer === 'start_ack') {
    return { pass: false, observed, detail: `expected ${want}, but ${probe.title} was accepted (${observed})` };
  }
  const problems: string[] = [];
  if (x.answer !== e.answer) problems.push(`answer ${x.answer} instead of ${e.answer}`);
  if (first?.errorType !== e.errorType) problems.push(`errorType ${first?.errorType ?? 'none'} instead of ${e.errorType}`);
  if (e.errorCode !== undefined && first?.errorCode !== e.errorCode) problems.push(`errorCode ${first?.errorCode ?? 'none'} instead of ${e.errorCode}`);
  if (e.message !== undefined && first?.message !== e.message) problems.push(`message ${quote(message)} instead of ${quote(e.message)}`);
  if (problems.length) return { pass: false, observed, detail: `expected ${want}; observed ${observed}${message ? ` ${quote(message)}` : ''}: ${problems.join('; ')}` };
  return { pass: true, observed, detail: `refused as AppSync does: ${observed} ${quote(message)}` };
}

export function describeHttpExpected(e: ExpectedRefusal | RestRefusal): string {
  return `the refusal ${refusalOf(e)}${e.message ? ` ${quote(e.message)}` : ''}`;
}

/** `403 AccessDeniedException`, or an HTTP API's bare status. */
export function refusalOf(e: ExpectedRefusal | RestRefusal): string {
  return 'httpApi' in e ? `${e.status}` : `${e.status} ${e.errorType}`;
}

export function describeRealtimeExpected(e: ExpectedRealtimeRefusal): string {
  return `the refusal ${e.answer} ${e.errorType}${e.errorCode !== undefined ? ` (errorCode ${e.errorCode})` : ''}${e.message ? ` ${quote(e.message)}` : ''}`;
}

/** `x-amzn-ErrorType` without the `:http://internal.amazon.com/…` suffix AWS may add. */
function errorTypeHeader(r: GraphQLResult): string | undefined {
  const v = Object.entries(r.headers).find(([k]) => k.toLowerCase() === 'x-amzn-errortype')?.[1];
  return v ? v.split(':')[0] : undefined;
}

function observedHttp(r: GraphQLResult, header: string | undefined): string {
  if (r.status >= 400) return `${r.status} ${header ?? (r.errors[0]?.errorType || '(no error type)')}`;
  if (r.errors.length) return `${r.status} ${r.data ? 'data with ' : ''}errors ${[...new Set(r.errors.map((e) => e.errorType ?? 'untyped'))].join(', ')}`;
  return `${r.status} ${r.data ? 'data' : 'empty body'}`;
}

const quote = (s: string | undefined): string => (s === undefined ? 'no message' : JSON.stringify(s));

/**
 * A server message as a report may quote it: the credentials sent, and anything else that could be one
 * (JWTs, API keys, signatures, long base64 or hex runs such as a session token in a canonical request),
 * are cut out.
 */
export function scrub(text: string, secrets: string[] = []): string {
  let out = text;
  for (const s of secrets) if (s.length >= 4) out = out.split(s).join('[redacted]');
  out = out
    .replace(/eyJ[\w-]*\.[\w-]*\.[\w-]*/g, '[JWT redacted]')
    .replace(/da2-[a-z0-9]+/gi, 'da2-[redacted]')
    .replace(/Signature=[0-9a-f]+/gi, 'Signature=[redacted]')
    .replace(/[A-Za-z0-9+/=_-]{24,}/g, (run) => (/\d/.test(run) || run.length >= 40 ? '[redacted]' : run));
  return out.length > 300 ? `${out.slice(0, 300)}…` : out;
}
