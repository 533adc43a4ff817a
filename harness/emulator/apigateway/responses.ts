/**
 * API Gateway's own answers (gateway responses): `{"message": …}` bodies with `x-amzn-ErrorType`, and no
 * CORS headers unless the API customizes the response type or its DEFAULT_4XX/DEFAULT_5XX fallback
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html).
 */
import { randomUUID } from 'node:crypto';
import type { GatewayResponse } from '../../schema/rest/model.js';
import type { SigV4Failure } from '../iam/sigv4.js';

/** A gateway response type with its default status and the error type API Gateway sends with it. */
export interface GatewayError {
  type: string;
  status: number;
  errorType: string;
  message: string;
}

export const gatewayErrors = {
  missingToken: (): GatewayError => ({ type: 'MISSING_AUTHENTICATION_TOKEN', status: 403, errorType: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' }),
  incompleteSignature: (message: string): GatewayError => ({ type: 'INVALID_SIGNATURE', status: 403, errorType: 'IncompleteSignatureException', message }),
  invalidSignature: (message: string): GatewayError => ({ type: 'INVALID_SIGNATURE', status: 403, errorType: 'InvalidSignatureException', message }),
  unrecognizedClient: (message: string): GatewayError => ({ type: 'INVALID_SIGNATURE', status: 403, errorType: 'UnrecognizedClientException', message }),
  expiredToken: (message: string): GatewayError => ({ type: 'EXPIRED_TOKEN', status: 403, errorType: 'ExpiredTokenException', message }),
  accessDenied: (message: string): GatewayError => ({ type: 'ACCESS_DENIED', status: 403, errorType: 'AccessDeniedException', message }),
  unauthorized: (message = 'Unauthorized'): GatewayError => ({ type: 'UNAUTHORIZED', status: 401, errorType: 'UnauthorizedException', message }),
  invalidApiKey: (): GatewayError => ({ type: 'INVALID_API_KEY', status: 403, errorType: 'ForbiddenException', message: 'Forbidden' }),
  authorizerError: (): GatewayError => ({ type: 'AUTHORIZER_CONFIGURATION_ERROR', status: 500, errorType: 'AuthorizerConfigurationException', message: 'null' }),
  requestTooLarge: (): GatewayError => ({ type: 'REQUEST_TOO_LARGE', status: 413, errorType: 'RequestTooLargeException', message: 'Request Too Long' }),
  integrationFailure: (): GatewayError => ({ type: 'DEFAULT_5XX', status: 502, errorType: 'InternalServerErrorException', message: 'Internal server error' }),
};

/** API Gateway's answer to a signature that fails verification (credentials it does not know: UnrecognizedClientException). */
export function signatureRefusal(f: SigV4Failure): GatewayError {
  if (f.kind === 'unknownKey' || f.kind === 'invalidToken' || f.kind === 'expiredToken') return gatewayErrors.unrecognizedClient(f.message);
  if (f.kind === 'missing' || f.kind === 'incomplete') return gatewayErrors.incompleteSignature(f.message);
  return gatewayErrors.invalidSignature(f.message);
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** The wire form of a gateway error, with the API's customization of its type (or of its 4XX/5XX fallback). */
export function gatewayAnswer(error: GatewayError, customized: GatewayResponse[]): HttpAnswer {
  const fallback = error.status >= 500 ? 'DEFAULT_5XX' : 'DEFAULT_4XX';
  const own = customized.find((r) => r.type === error.type);
  const general = customized.find((r) => r.type === fallback);
  const status = own?.statusCode ?? general?.statusCode ?? error.status;
  return {
    status,
    headers: {
      ...general?.headers,
      ...own?.headers,
      'content-type': 'application/json',
      'x-amzn-requestid': randomUUID(),
      'x-amzn-errortype': error.errorType,
    },
    body: JSON.stringify({ message: error.message === 'null' ? null : error.message }),
  };
}
