/** The request a REST cell makes (matrix/rest-cells.ts builds them, runner/rest.ts sends them). */
import type { HttpMethod } from '../schema/rest/model.js';

/** How the persona's request is authenticated (what aws-amplify sends for it). */
export type RestPresentation = 'unsigned' | 'signed' | 'idToken' | 'accessToken' | 'oidcToken' | 'apiKey' | 'token';
/** Where a header credential sits: the request's options, the library's `API.REST.headers`, or both (the request's wins). */
export type RestHeaderPath = 'request' | 'global' | 'override';

export interface RestAction {
  type: 'rest';
  api: string;
  method: HttpMethod;
  /** The path sent below the stage, with its leading slash (`/items/authmatrix-sample`). */
  path: string;
  presentation: RestPresentation;
  headerPath: RestHeaderPath;
  /** An HTTP API's (API Gateway v2): its refusals carry no `x-amzn-ErrorType` (harness/runner/rest.ts). */
  httpApi?: true;
  /** Sent first, by the same caller: the request whose cached authorizer decision this one meets. */
  after?: { method: string; path: string };
}

