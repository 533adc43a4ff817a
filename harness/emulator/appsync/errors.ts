/** GraphQL errors in AppSync's shape (`errorType`, `data`, `errorInfo`, `locations[].sourceName`). */
import { GraphQLError } from 'graphql';

/**
 * An error that is an answer on the wire, not a fault: its stack is never shown, so none is captured and its
 * `stack` is plain text. graphql-js reads the stack of every error a resolver throws, and formatting one (through
 * vitest's source-map hook in a run, even with no frames) cost a blog run about 0.3 s of its denials.
 */
export class Answer extends Error {
  constructor(message: string) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = limit;
    this.stack = `${new.target.name}: ${message}`;
  }
}

/** An error a resolver raises on purpose, with AppSync's errorType. */
export class AppSyncError extends Answer {
  constructor(
    readonly errorType: string,
    message: string,
  ) {
    super(message);
    this.name = 'AppSyncError';
  }
}

/**
 * A resolver failed for a reason of the offline run, not of the app's logic: a feature the emulator's
 * AppSync JS runtime does not have, or user code that throws (usually on data it would have in the cloud).
 */
export class FailedOffline extends AppSyncError {
  constructor(message: string) {
    super('Code', message);
  }
}

export const notAuthorized = (field: string, type: string): AppSyncError =>
  new AppSyncError('Unauthorized', `Not Authorized to access ${field} on type ${type}`);

export const conditionalCheckFailed = (requestId: string): AppSyncError =>
  new AppSyncError('DynamoDB:ConditionalCheckFailedException', `The conditional request failed (Service: DynamoDb, Status Code: 400, Request ID: ${requestId})`);

export interface AppSyncErrorJson {
  path: (string | number)[] | null;
  data: null;
  errorType: string | null;
  errorInfo: null;
  locations: { line: number; column: number; sourceName: null }[];
  message: string;
}

/** An execution error (a resolver threw) as AppSync reports it. */
export function executionError(e: GraphQLError, log: (line: string) => void): AppSyncErrorJson | ValidationErrorJson {
  const original = e.originalError;
  // Raised by graphql-js itself before any resolver ran (variable coercion): a request problem.
  if (!e.path && (!original || original instanceof GraphQLError)) return validationError(e);
  let errorType: string | null;
  let message = e.message;
  if (original instanceof AppSyncError) errorType = original.errorType;
  else if (original) {
    errorType = 'InternalFailure';
    log(`internal error at ${e.path?.join('.') ?? '?'}: ${original.stack ?? original.message}`);
  } else {
    errorType = null;
    message = validationMessage(e.message);
  }
  return {
    path: e.path ? [...e.path] : null,
    data: null,
    errorType,
    errorInfo: null,
    locations: (e.locations ?? []).map((l) => ({ line: l.line, column: l.column, sourceName: null })),
    message,
  };
}

/** A request-validation error: `path: null`, no errorType, graphql-java wording. */
export interface ValidationErrorJson {
  path: null;
  locations: { line: number; column: number; sourceName: null }[];
  message: string;
}

export function validationError(e: GraphQLError): ValidationErrorJson {
  return {
    path: null,
    locations: (e.locations ?? []).map((l) => ({ line: l.line, column: l.column, sourceName: null })),
    message: validationMessage(e.message),
  };
}

/** graphql-js messages in the graphql-java wording AppSync uses. */
export function validationMessage(message: string): string {
  let m: RegExpExecArray | null;
  if ((m = /^Cannot query field "(\w+)" on type "(\w+)"/.exec(message))) {
    return `Validation error of type FieldUndefined: Field '${m[1]}' in type '${m[2]}' is undefined @ '${m[1]}'`;
  }
  if ((m = /^Unknown argument "(\w+)" on field "(\w+)\.(\w+)"/.exec(message))) {
    return `Validation error of type UnknownArgument: Unknown field argument ${m[1]} @ '${m[3]}'`;
  }
  if ((m = /^Field "(\w+)" argument "(\w+)" of type "([^"]+)" is required/.exec(message))) {
    return `Validation error of type MissingFieldArgument: Missing field argument ${m[2]} @ '${m[1]}'`;
  }
  if ((m = /^Field "(\w+)" of type "([^"]+)" must have a selection of subfields/.exec(message))) {
    return `Validation error of type SubSelectionRequired: Sub selection required for type ${m[2]} of field ${m[1]} @ '${m[1]}'`;
  }
  if ((m = /^Variable "\$(\w+)" got invalid value (.*)$/s.exec(message))) {
    return `Variable '${m[1]}' has an invalid value: ${m[2]}`;
  }
  if (/^Syntax Error/.test(message)) return `Invalid Syntax : ${message.replace(/^Syntax Error: /, '')}`;
  return `Validation error of type WrongType: ${message}`;
}
