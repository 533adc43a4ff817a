import type { AppSyncResolverHandler } from 'aws-lambda';

type Identity = { username?: string; sub?: string } | null;

/** Echoes the message with the caller's name, as the resolver sees it. */
export const handler: AppSyncResolverHandler<{ message: string }, { message: string; caller: string | null }> = async (event) => {
  const identity = event.identity as Identity;
  return { message: event.arguments.message, caller: identity?.username ?? identity?.sub ?? null };
};
