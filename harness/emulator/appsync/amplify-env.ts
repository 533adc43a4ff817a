/**
 * Stands in for the `$amplify/env/<function>` module Amplify generates for each Gen 2 function: `env`
 * holds a placeholder for every name the function reads, so a handler that reads its settings at import
 * time still loads offline. Never the process's own environment: a handler must not reach real AWS with
 * the developer's credentials.
 */
export const env: Record<string, string> = new Proxy({} as Record<string, string>, {
  get: (_, name) => (typeof name === 'string' ? `authmatrix-placeholder-${name}` : undefined),
});
