/**
 * Lambda authorizer of the HTTP API's /partners routes (payload 2.0, simple responses): a `Bearer partner-<name>`
 * token in the Authorization header is authorized, anything else is not. Without the header API Gateway refuses the
 * request (401) without calling this function.
 */
interface HttpAuthorizerEvent {
  version: '2.0';
  type: 'REQUEST';
  routeArn: string;
  identitySource: string[];
}

export const handler = async (event: HttpAuthorizerEvent) => {
  const token = event.identitySource[0] ?? '';
  return { isAuthorized: /^Bearer partner-[-a-z0-9]+$/.test(token), context: { partner: token.slice('Bearer '.length) } };
};
