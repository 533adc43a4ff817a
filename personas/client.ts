/** A GraphQL client for a provisioned persona. */
import { GraphQLClient } from '../harness/client/http.js';
import type { ProvisionedPersona } from './types.js';

/** The persona's credentials, with its configured headers as client-level headers. */
export function personaClient(p: Pick<ProvisionedPersona, 'auth' | 'headers'>, url: string): GraphQLClient {
  return new GraphQLClient({ url, auth: p.auth, ...(p.headers ? { headers: p.headers } : {}) });
}
