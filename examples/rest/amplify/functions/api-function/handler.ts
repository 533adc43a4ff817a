/** The API's one integration: echoes who API Gateway says the caller is (a handler's answer is not an auth verdict). */
export const handler = async (event: {
  httpMethod: string;
  path: string;
  requestContext?: { identity?: { userArn?: string | null; cognitoIdentityId?: string | null }; authorizer?: Record<string, unknown> | null };
}) => ({
  statusCode: 200,
  headers: { 'Access-Control-Allow-Origin': '*', 'Access-Control-Allow-Headers': '*', 'content-type': 'application/json' },
  body: JSON.stringify({
    method: event.httpMethod,
    path: event.path,
    userArn: event.requestContext?.identity?.userArn ?? null,
    authorizer: event.requestContext?.authorizer ?? null,
  }),
});
