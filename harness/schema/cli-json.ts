/**
 * The JSON files of a Gen 1 project (`cli.json`, `cli-inputs.json`, `backend-config.json`, …) as the Amplify CLI
 * reads them: through hjson (amplify-cli-core `JSONUtilities.parse`), with a leading byte order mark dropped first.
 * hjson takes comments and trailing commas that `JSON.parse` refuses: a project whose `cli.json` has
 * `"flag": false,}` deploys, so it must load here too (NamS135176/grandPortals).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Hjson from 'hjson';
import { InputError } from './errors.js';

export function parseCliJson(text: string): unknown {
  return Hjson.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text) as unknown;
}

/**
 * A project file the CLI wrote; one that does not parse is bad input, refused on one line naming the file and where
 * (hjson says `… at line 3,5 >>>` and quotes the text there, across lines).
 */
export function readCliJson(file: string): unknown {
  const text = readFileSync(file, 'utf8');
  try {
    return parseCliJson(text);
  } catch (e) {
    const message = String((e as Error).message);
    const at = /^(.*?) at line (\d+),(\d+) >>>/s.exec(message);
    const where = at ? { file, line: Number(at[2]), column: Number(at[3]) } : { file };
    throw new InputError(`invalid JSON: ${(at?.[1] ?? message).split('\n')[0]}`, where, 'correct the JSON syntax');
  }
}

/** A JSON object's entries, or undefined for anything else (a list, a string, null). */
export function jsonObject(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/**
 * The resources of a category (`api`, `storage`) that `amplify/backend/backend-config.json` names with a service
 * (`AppSync`, `API Gateway`, `S3`), in name order; undefined when the project has no such file. It is what
 * `amplify push` deploys from, so a file that does not parse is refused.
 */
export function backendConfigServices(amplify: string, category: string, service: string): string[] | undefined {
  const file = path.join(amplify, 'backend', 'backend-config.json');
  if (!existsSync(file)) return undefined;
  const section = jsonObject(jsonObject(readCliJson(file))?.[category]) ?? {};
  return Object.entries(section).filter(([, v]) => jsonObject(v)?.service === service).map(([k]) => k).sort();
}
