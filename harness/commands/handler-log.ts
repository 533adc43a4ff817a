/**
 * handlers.log: what the app's handlers wrote with console during `authmatrix run` (harness/schema/handler-console.ts),
 * written beside the reports with their secrets redacted as the reports' are (harness/client/redact.ts). The run's
 * output says how many messages there were and where, in one line.
 */
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { formatWithOptions } from 'node:util';
import { redactDeep, redactText } from '../client/redact.js';
import { routeHandlerConsole } from '../schema/handler-console.js';

const HANDLER_LOG = 'handlers.log';
/** Kept in memory until the reports are written; a handler that writes more has the rest counted, not kept. */
const MAX_CHARS = 8 * 1024 * 1024;

interface HandlerLog {
  /** Writes handlers.log into `dir` (or removes an earlier run's) and returns the line that tells of it, if any. */
  write(dir: string, shownDir: string): string | undefined;
  /** Handlers' console is printed again. */
  stop(): void;
}

export function collectHandlerLog(): HandlerLog {
  const entries: string[] = [];
  let chars = 0;
  let count = 0;
  routeHandlerConsole((handler, method, args) => {
    count++;
    if (chars > MAX_CHARS) return;
    const text = redactText(formatWithOptions({ colors: false }, ...args.map(redactDeep)));
    const entry = `[${handler}] ${method}: ${text}`;
    entries.push(entry);
    chars += entry.length;
  });
  return {
    write(dir, shownDir) {
      const file = path.join(dir, HANDLER_LOG);
      if (!count) {
        rmSync(file, { force: true });
        return undefined;
      }
      const cut = count > entries.length ? [`… ${count - entries.length} more messages not kept (over ${MAX_CHARS / 1024 / 1024} MB)`] : [];
      writeFileSync(file, [...entries, ...cut].join('\n') + '\n');
      return `Handler output: ${count} console ${count === 1 ? 'message' : 'messages'} of the app's handlers (Lambda sends them to CloudWatch Logs) in ${shownDir}/${HANDLER_LOG}`;
    },
    stop() {
      routeHandlerConsole(undefined);
    },
  };
}
