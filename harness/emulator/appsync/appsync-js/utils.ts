/** Stands in for `@aws-appsync/utils` inside user JS resolvers: the parts Amplify resolvers use. */
import { currentCall, EarlyReturn, ResolverError, toDynamo, toDynamoMap, fromDynamoMap } from './state.js';

export const util = {
  error(message: string, errorType?: string, data?: unknown, errorInfo?: unknown): never {
    throw new ResolverError(message, errorType, data, errorInfo);
  },
  appendError(message: string, errorType?: string, data?: unknown, errorInfo?: unknown): void {
    currentCall().errors.push({ message, ...(errorType ? { errorType } : {}), data, errorInfo });
  },
  unauthorized(): never {
    throw new ResolverError('Unauthorized', 'Unauthorized');
  },
  autoId(): string {
    return currentCall().ids();
  },
  isNull: (v: unknown) => v === null || v === undefined,
  defaultIfNull: <T>(v: T | null | undefined, d: T): T => (v === null || v === undefined ? d : v),
  time: {
    nowISO8601: () => currentCall().now().toISOString(),
    nowEpochSeconds: () => Math.floor(currentCall().now().getTime() / 1000),
    nowEpochMilliSeconds: () => currentCall().now().getTime(),
  },
  dynamodb: {
    toDynamoDB: toDynamo,
    toMapValues: toDynamoMap,
    toString: (s: string) => ({ S: s }),
    toNumber: (n: number) => ({ N: String(n) }),
  },
  transform: {
    toSubscriptionFilter: (filter: unknown) => filter,
    toDynamoDBFilterExpression: (filter: unknown) => JSON.stringify(filter),
  },
  str: {
    toUpper: (s: string) => s.toUpperCase(),
    toLower: (s: string) => s.toLowerCase(),
  },
};

export const runtime = {
  earlyReturn(value?: unknown): never {
    throw new EarlyReturn(value ?? null);
  },
};

export const extensions = {
  setSubscriptionFilter(filter: unknown): void {
    currentCall().subscriptionFilter = filter;
  },
  setSubscriptionInvalidationFilter(filter: unknown): void {
    currentCall().invalidationFilter = filter;
  },
};

export { fromDynamoMap };
