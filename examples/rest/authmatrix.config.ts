/**
 * authmatrix settings for the REST example: callers of the two Lambda authorizers. The partner
 * authorizer (a TOKEN authorizer) accepts `Bearer partner-*` and denies `Bearer blocked-*`; the webhook
 * authorizer (REQUEST) admits `x-webhook-secret: sender-<name>` on /webhooks/<name> only.
 */
export default {
  personas: {
    partner: { kind: 'restToken', token: 'Bearer partner-acme' },
    blockedPartner: { kind: 'restToken', token: 'Bearer blocked-evil' },
    githubWebhook: { kind: 'restToken', headers: { 'x-webhook-secret': 'sender-github' } },
    stripeWebhook: { kind: 'restToken', headers: { 'x-webhook-secret': 'sender-stripe' } },
    unknownWebhook: { kind: 'restToken', headers: { 'x-webhook-secret': 'sender-unknown' } },
  },
};
