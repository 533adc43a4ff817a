/**
 * The console of the app's handlers. In Lambda what a handler writes with console goes to CloudWatch Logs, not to
 * whoever called the API. Here handlers run in authmatrix's own process, and one that logs its event (the REST
 * function of hillangat/xhumanify: 1,900 lines on a 1,600-cell run, each request's Authorization header among them)
 * buried the run's own lines. While a handler loads or runs (loadHandler, harness/schema/user-module.ts) its
 * console output goes to the sink `authmatrix run` sets (harness/commands/handler-log.ts); with no sink
 * (`authmatrix emulate`, like `ampx sandbox`) it is printed as before.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

const current = new AsyncLocalStorage<string>();
const METHODS = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;

/** One console call of a handler: its name, the console method and the arguments as given. */
type HandlerConsoleCall = (handler: string, method: (typeof METHODS)[number], args: unknown[]) => void;

let sink: HandlerConsoleCall | undefined;
let patched = false;

/** Runs `run` as the handler named `name`: its console output (and that of what it starts) is the handler's. */
export function asHandler<T>(name: string, run: () => T): T {
  return current.run(name, run);
}

/** Where handlers' console calls go from now on; undefined: printed as usual. */
export function routeHandlerConsole(to: HandlerConsoleCall | undefined): void {
  sink = to;
  if (!to || patched) return;
  patched = true;
  for (const method of METHODS) {
    const original = console[method];
    console[method] = function (this: Console, ...args: unknown[]) {
      const name = current.getStore();
      if (name === undefined || !sink) return original.apply(this, args);
      sink(name, method, args);
    };
  }
}
