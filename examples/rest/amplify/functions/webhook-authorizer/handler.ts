/**
 * REQUEST authorizer for /webhooks/<sender>: the `x-webhook-secret` header must be `sender-<sender>`.
 * The policy names exactly the method that was called, so a decision API Gateway caches for one route
 * also decides the other route for the same secret (and refuses it): the matrix shows it.
 */
interface RequestEvent {
  type: 'REQUEST';
  methodArn: string;
  headers: Record<string, string | undefined> | null;
}

export const handler = async (event: RequestEvent) => {
  const secret = Object.entries(event.headers ?? {}).find(([k]) => k.toLowerCase() === 'x-webhook-secret')?.[1] ?? '';
  const sender = event.methodArn.split('/').at(-1);
  return {
    principalId: secret ? 'webhook-sender' : 'nobody',
    policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: secret === `sender-${sender}` ? 'Allow' : 'Deny', Resource: event.methodArn }] },
  };
};
