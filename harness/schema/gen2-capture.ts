/** State shared between the Gen 2 loader and the `@aws-amplify/backend` stand-in (two module instances). */

export interface CapturedFunction {
  readonly kind: 'authmatrix:function';
  name: string;
  /** Absolute path of the handler module; absent for a function a CDK callback builds (`cdk`). */
  entry?: string;
  /**
   * The file whose `defineFunction((scope) => new Function(...))` builds the function with CDK (Amplify's custom
   * functions: another runtime, its own code and bundling): nothing authmatrix can run.
   */
  cdk?: string;
  /** The stack Amplify puts the function in (`function` unless `resourceGroupName` says otherwise). */
  resourceGroupName?: string;
  /** data-schema recognizes a `defineFunction` result by this method. */
  getInstance(): never;
}

export interface Gen2Capture {
  a: unknown;
  data: Record<string, unknown>[];
  auth: Record<string, unknown>[];
  /** Every `defineStorage(props)` call, in order (one per bucket). */
  storage: Record<string, unknown>[];
  functions: CapturedFunction[];
  /** Set while `amplify/backend.ts` is read for its REST APIs: builds the backend with the app's CDK. */
  defineBackend?: (resources: Record<string, unknown>) => Record<string, unknown>;
}

const STATE = Symbol.for('authmatrix.gen2.capture');

export function captureState(): Gen2Capture {
  const state = (globalThis as Record<symbol, Gen2Capture | undefined>)[STATE];
  if (!state) throw new Error('the @aws-amplify/backend stand-in was loaded outside authmatrix');
  return state;
}

export function installCapture(a: unknown): Gen2Capture {
  const state: Gen2Capture = { a, data: [], auth: [], storage: [], functions: [] };
  (globalThis as Record<symbol, Gen2Capture | undefined>)[STATE] = state;
  return state;
}

export function uninstallCapture(): void {
  delete (globalThis as Record<symbol, Gen2Capture | undefined>)[STATE];
}

