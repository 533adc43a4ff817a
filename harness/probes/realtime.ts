/**
 * Realtime probe exchanges: one WebSocket per probe, with the handshake aws-amplify sends (`graphql-ws`
 * plus the `header-<base64url>` subprotocol, headers from harness/client/realtime.ts), and one answer
 * awaited: to `connection_init`, or to a `start` on a connection opened with a valid credential.
 * Every wait is bounded, so a target that never answers gives `none` instead of a hang.
 */
import { randomUUID } from 'node:crypto';
import { WebSocket } from 'ws';
import type { ClientAuth } from '../client/auth.js';
import { realtimeAuthHeaders, realtimeUrl } from '../client/realtime.js';
import { redactHeaders } from '../client/redact.js';
import { withSentSecrets } from './judge.js';
import type { RealtimeExchange } from './types.js';

const ANSWER_TIMEOUT_MS = 10_000;

type Frame = { type?: string; id?: string; payload?: { errors?: unknown } };
type Answer = { frame: Frame } | { failure: string };

/** The answer to `connection_init` on a socket opened with `auth`'s handshake headers. */
export async function connectExchange(url: string, auth: ClientAuth): Promise<RealtimeExchange> {
  const handshake = await realtimeAuthHeaders(url, auth, '{}', true);
  const sent: RealtimeExchange['sent'] = { url: realtimeUrl(url), stage: 'connect', handshake: redactHeaders(handshake) };
  const ws = open(url, handshake);
  try {
    return withSentSecrets(exchangeOf(await connected(ws), sent), handshake);
  } finally {
    ws.terminate();
  }
}

/** The answer to a `start` authorized with `startAuth`, on a connection opened with `connectAuth`. */
export async function startExchange(url: string, connectAuth: ClientAuth, startAuth: ClientAuth, query: string): Promise<RealtimeExchange> {
  const handshake = await realtimeAuthHeaders(url, connectAuth, '{}', true);
  const data = JSON.stringify({ query, variables: {} });
  const authorization = await realtimeAuthHeaders(url, startAuth, data, false);
  const sent: RealtimeExchange['sent'] = { url: realtimeUrl(url), stage: 'start', handshake: redactHeaders(handshake), start: { data, authorization: redactHeaders(authorization) } };
  const ws = open(url, handshake);
  try {
    const init = await connected(ws);
    if (!('frame' in init) || init.frame.type !== 'connection_ack') {
      const why = 'frame' in init ? `${init.frame.type}: ${errorsOf(init.frame).map((e) => e.message).join('; ')}` : init.failure;
      const failed: RealtimeExchange = { transport: 'websocket', answer: 'none', errors: [{ message: `the connection opened with a valid credential was not acknowledged (${why})` }], sent };
      return withSentSecrets(failed, handshake, authorization);
    }
    const id = randomUUID();
    const answer = awaitFrame(ws, (f) => f.id === id && (f.type === 'start_ack' || f.type === 'error'));
    ws.send(JSON.stringify({ id, type: 'start', payload: { data, extensions: { authorization } } }));
    return withSentSecrets(exchangeOf(await answer, sent), handshake, authorization);
  } finally {
    ws.terminate();
  }
}

function open(url: string, handshake: Record<string, string>): WebSocket {
  const header = Buffer.from(JSON.stringify(handshake)).toString('base64url');
  const ws = new WebSocket(realtimeUrl(url), ['graphql-ws', `header-${header}`]);
  // Errors are reported through awaitFrame; one after it (terminating a connecting socket) is expected.
  ws.on('error', () => undefined);
  return ws;
}

function connected(ws: WebSocket): Promise<Answer> {
  const answer = awaitFrame(ws, (f) => f.type === 'connection_ack' || f.type === 'connection_error');
  ws.once('open', () => ws.send(JSON.stringify({ type: 'connection_init' })));
  return answer;
}

/** The first frame `wanted` accepts, or why none came (socket error, close, timeout). */
function awaitFrame(ws: WebSocket, wanted: (f: Frame) => boolean): Promise<Answer> {
  return new Promise((resolve) => {
    const done = (a: Answer) => {
      clearTimeout(timer);
      ws.off('message', onMessage);
      ws.off('error', onError);
      ws.off('close', onClose);
      resolve(a);
    };
    const onMessage = (raw: WebSocket.RawData) => {
      let frame: Frame;
      try {
        frame = JSON.parse(raw.toString()) as Frame;
      } catch {
        return;
      }
      if (wanted(frame)) done({ frame });
    };
    const onError = (e: Error) => done({ failure: `the WebSocket failed: ${e.message}` });
    const onClose = (code: number) => done({ failure: `the WebSocket closed (code ${code}) without answering` });
    const timer = setTimeout(() => done({ failure: `no answer within ${ANSWER_TIMEOUT_MS / 1000} s` }), ANSWER_TIMEOUT_MS);
    ws.on('message', onMessage);
    ws.on('error', onError);
    ws.on('close', onClose);
  });
}

function exchangeOf(a: Answer, sent: RealtimeExchange['sent']): RealtimeExchange {
  if ('failure' in a) return { transport: 'websocket', answer: 'none', errors: [{ message: a.failure }], sent };
  const type = a.frame.type as RealtimeExchange['answer'];
  return { transport: 'websocket', answer: type, errors: errorsOf(a.frame), sent };
}

/** `payload.errors` is a list, except on throttling where AppSync sends one object. */
function errorsOf(f: Frame): RealtimeExchange['errors'] {
  const e = f.payload?.errors;
  const list = Array.isArray(e) ? e : e && typeof e === 'object' ? [e] : [];
  return list.map((x: { errorType?: unknown; message?: unknown; errorCode?: unknown }) => ({
    ...(typeof x.errorType === 'string' ? { errorType: x.errorType } : {}),
    message: typeof x.message === 'string' ? x.message : '',
    ...(typeof x.errorCode === 'number' ? { errorCode: x.errorCode } : {}),
  }));
}
