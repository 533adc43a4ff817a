import type { AppSyncAuthorizerHandler } from 'aws-lambda';

/**
 * The help-desk tool's Lambda authorizer: tokens `helpdesk-<agent>` are accepted, anything else is refused,
 * and so is any request the help-desk tool marks as coming from outside the office
 * (`x-helpdesk-site: external`). Agents may not see who owns a ticket (deniedFields).
 */
export const handler: AppSyncAuthorizerHandler<{ agent: string }> = async (event) => {
  const match = /^helpdesk-([a-z0-9-]+)$/.exec(event.authorizationToken);
  if (!match) return { isAuthorized: false };
  if (event.requestHeaders['x-helpdesk-site'] === 'external') return { isAuthorized: false };
  return {
    isAuthorized: true,
    resolverContext: { agent: match[1]! },
    deniedFields: ['Ticket.owner'],
    ttlOverride: 0,
  };
};
