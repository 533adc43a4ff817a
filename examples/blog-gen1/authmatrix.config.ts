/**
 * authmatrix settings for the blog example: the Lambda authorizer accepts `helpdesk-<agent>` tokens,
 * so the Lambda personas need tokens it accepts and refuses.
 */
export default {
  personas: {
    lambdaAllowed: { token: 'helpdesk-alice' },
    lambdaDenied: { token: 'not-a-helpdesk-token' },
  },
};
