/**
 * authmatrix settings for the blog example: the Lambda authorizer accepts `helpdesk-<agent>` tokens,
 * so the Lambda personas need tokens it accepts and refuses. `lambdaOffsite` holds a good token but
 * says it works off-site (a metadata header the authorizer reads), so it must be refused. `reporter` is an
 * IAM role outside the identity pool whose policy allows the Post queries only: it reads every Post (Gen 2
 * generic IAM access skips the rules), and every other operation is refused with 401 before any resolver.
 */
export default {
  personas: {
    lambdaAllowed: { token: 'helpdesk-alice' },
    lambdaDenied: { token: 'not-a-helpdesk-token' },
    lambdaOffsite: { kind: 'lambdaDenied', token: 'helpdesk-bob', headers: { 'x-helpdesk-site': 'external' } },
    reporter: {
      kind: 'iamRole',
      roleName: 'ReportingRole',
      policies: [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'appsync:GraphQL', Resource: ['arn:aws:appsync:*:*:apis/*/types/Query/fields/getPost', 'arn:aws:appsync:*:*:apis/*/types/Query/fields/listPosts'] }] }],
    },
  },
};
