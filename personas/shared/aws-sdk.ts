/**
 * The AWS SDK clients and the SRP helper, loaded on first use: only a deployed target needs them, and an
 * emulated run (every test of the emulator, most CLI runs) starts about half a second of CPU faster without.
 */
export const cognitoIdentityProvider = once(() => import('@aws-sdk/client-cognito-identity-provider'));
export const cognitoIdentity = once(() => import('@aws-sdk/client-cognito-identity'));
export const apiGateway = once(() => import('@aws-sdk/client-api-gateway'));
export const apiGatewayV2 = once(() => import('@aws-sdk/client-apigatewayv2'));
export const iam = once(() => import('@aws-sdk/client-iam'));
export const credentialProviders = once(() => import('@aws-sdk/credential-providers'));
export const srpHelper = once(() => import('cognito-srp-helper'));

function once<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | undefined;
  return () => (loaded ??= load());
}
