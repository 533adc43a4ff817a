/**
 * authmatrix settings for the blog example: the Lambda authorizer accepts `helpdesk-<agent>` tokens,
 * so the Lambda personas need tokens it accepts and refuses. `lambdaOffsite` holds a good token but
 * says it works off-site (a metadata header the authorizer reads), so it must be refused.
 */
export default {
  personas: {
    lambdaAllowed: { token: 'helpdesk-alice' },
    lambdaDenied: { token: 'not-a-helpdesk-token' },
    lambdaOffsite: { kind: 'lambdaDenied', token: 'helpdesk-bob', headers: { 'x-helpdesk-site': 'external' } },
  },
};
