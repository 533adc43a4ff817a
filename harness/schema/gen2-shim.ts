/**
 * Stands in for `@aws-amplify/backend` (880 MB installed) while a Gen 2 resource file is loaded:
 * re-exports `a` from `@aws-amplify/data-schema` and records what `defineData`, `defineFunction`,
 * `defineAuth` and `defineStorage` were called with. The loader aliases `@aws-amplify/backend` to this module and
 * puts the capture state on `globalThis` before loading.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { captureState, type CapturedFunction } from './gen2-capture.js';

/** The file that called the function calling this one, from the stack (as Amplify's own helpers do). */
function callerFile(): string | undefined {
  const stack = new Error().stack?.split('\n').slice(1) ?? [];
  const self = fileURLToPath(import.meta.url);
  for (const line of stack) {
    const m = line.match(/\(?((?:file:\/\/)?\/[^():]+):\d+:\d+\)?$/);
    if (!m) continue;
    const file = m[1]!.startsWith('file://') ? fileURLToPath(m[1]!) : m[1]!;
    if (file === self || file.replace(/\.js$/, '.ts') === self.replace(/\.js$/, '.ts')) continue;
    if (file.includes(`${path.sep}node_modules${path.sep}`)) continue;
    return file;
  }
  return undefined;
}

export const a = captureState().a;

export function defineData(props: Record<string, unknown>): { kind: 'authmatrix:data'; props: Record<string, unknown> } {
  captureState().data.push(props);
  return { kind: 'authmatrix:data', props };
}

export function defineAuth(props: Record<string, unknown>): { kind: 'authmatrix:auth'; props: Record<string, unknown> } {
  captureState().auth.push(props);
  return { kind: 'authmatrix:auth', props };
}

/** An existing auth resource: its `groups` map each group's name to its role ARN, where defineAuth lists names. */
export function referenceAuth(props: Record<string, unknown>): { kind: 'authmatrix:auth'; props: Record<string, unknown> } {
  const groups = props.groups;
  return defineAuth(groups && typeof groups === 'object' && !Array.isArray(groups) ? { ...props, groups: Object.keys(groups) } : props);
}

/**
 * Like the real one: `entry` (default `./handler.ts`) is relative to the calling file; the name defaults to the entry's
 * or the directory's. Given a callback (a custom function CDK builds, marceloig/iam-identity-center-team-v2's Python
 * functions), the function is named after its directory and has no handler module.
 */
export function defineFunction(props: { name?: string; entry?: string; resourceGroupName?: string } | ((scope: unknown) => unknown) = {}): CapturedFunction {
  const caller = callerFile();
  const dir = caller ? path.dirname(caller) : process.cwd();
  if (typeof props === 'function') {
    const built: CapturedFunction = { kind: 'authmatrix:function', name: path.basename(dir), cdk: caller ?? dir, getInstance: () => { throw new Error('authmatrix does not deploy functions'); } };
    captureState().functions.push(built);
    return built;
  }
  const fn: CapturedFunction = {
    kind: 'authmatrix:function',
    // Amplify's default (backend-function's resolveName): the entry's file name, else the calling file's directory.
    name: props.name ?? (props.entry ? path.parse(props.entry).name : path.basename(dir)),
    entry: path.resolve(dir, props.entry ?? './handler.ts'),
    ...(props.resourceGroupName ? { resourceGroupName: props.resourceGroupName } : {}),
    getInstance(): never {
      throw new Error('authmatrix does not deploy functions');
    },
  };
  captureState().functions.push(fn);
  return fn;
}

export function defineStorage(props: Record<string, unknown>): { kind: 'authmatrix:storage'; props: Record<string, unknown> } {
  captureState().storage.push(props);
  return { kind: 'authmatrix:storage', props };
}

export function defineBackend(resources: Record<string, unknown>): Record<string, unknown> {
  const build = captureState().defineBackend;
  return build ? build(resources) : { resources };
}

/** data-schema only stores secrets (SQL connection strings); it never resolves them. */
export function secret(name: string): { kind: 'authmatrix:secret'; name: string; resolve(): undefined; resolvePath(): undefined } {
  return { kind: 'authmatrix:secret', name, resolve: () => undefined, resolvePath: () => undefined };
}
