/**
 * TOKEN authorizer for /partner: `Bearer partner-<name>` tokens are allowed on every partner route,
 * `Bearer blocked-<name>` tokens get an explicit Deny, anything else is refused with "Unauthorized".
 */
interface TokenEvent {
  type: 'TOKEN';
  authorizationToken: string;
  methodArn: string;
}

export const handler = async (event: TokenEvent) => {
  const token = event.authorizationToken.replace(/^Bearer /, '');
  // arn:aws:execute-api:region:account:apiId/stage/VERB/path: the policy covers every partner route of the stage.
  const [arn, stage] = event.methodArn.split('/');
  const partnerRoutes = `${arn}/${stage}/*/partner*`;
  if (token.startsWith('partner-')) return policy(token, 'Allow', partnerRoutes);
  if (token.startsWith('blocked-')) return policy(token, 'Deny', partnerRoutes);
  throw new Error('Unauthorized');
};

function policy(principalId: string, effect: 'Allow' | 'Deny', resource: string) {
  return {
    principalId,
    policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: resource }] },
    context: { partner: principalId },
  };
}
