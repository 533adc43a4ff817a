import { util } from '@aws-appsync/utils';

/** Reads the post (a real app would increment a counter); runs against the Post table. */
export function request(ctx) {
  return { operation: 'GetItem', key: util.dynamodb.toMapValues({ id: ctx.args.postId }) };
}

export function response(ctx) {
  if (ctx.error) util.error(ctx.error.message, ctx.error.type);
  if (!ctx.result) util.error(`Post ${ctx.args.postId} not found`, 'NotFound');
  return ctx.result;
}
