/** A credential refused before any resolver runs: AppSync answers with an HTTP error, not GraphQL errors. */
export class AuthFailure extends Error {
  constructor(
    readonly status: 401 | 403,
    readonly errorType: 'UnauthorizedException' | 'InvalidSignatureException' | 'UnrecognizedClientException' | 'BadRequestException',
    message: string,
  ) {
    super(message);
    this.name = 'AuthFailure';
  }
}

/** The message AppSync gives for refused API keys and Lambda tokens. */
export const NOT_AUTHORIZED = 'You are not authorized to make this call.';
export const NO_VALID_HEADER = 'Valid authorization header not provided.';
export const UNPARSABLE_JWT = 'Unable to parse JWT token.';
export const TOKEN_EXPIRED = 'Token has expired.';

export const unauthorized = (message: string = NOT_AUTHORIZED): AuthFailure => new AuthFailure(401, 'UnauthorizedException', message);
