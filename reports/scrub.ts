/**
 * Defence in depth: the client redacts request headers before they reach a cell's evidence, and the
 * reports redact once more, so that a secret that slipped into a results file (an unredacted header, a
 * token in a variable or a response body) is never rendered. Values already redacted are kept as they are.
 */
import { redactDeep, redactValue } from '../harness/client/redact.js';
import type { CellResult, Evidence } from '../harness/matrix/execute.js';
import type { RunReport } from './results.js';

const SECRET_HEADERS = new Set(['authorization', 'x-api-key', 'x-amz-security-token']);

function header(name: string, value: string): string {
  if (!SECRET_HEADERS.has(name.toLowerCase()) || value.includes('redacted')) return value;
  return redactValue(value);
}

function evidence(e: Evidence): Evidence {
  return {
    request: {
      ...e.request,
      headers: Object.fromEntries(Object.entries(e.request.headers ?? {}).map(([k, v]) => [k, header(k, String(v))])),
      body: redactDeep(e.request.body),
    },
    response: { ...e.response, body: redactDeep(e.response.body) },
  };
}

export function scrubCell(c: CellResult): CellResult {
  return c.evidence ? { ...c, evidence: evidence(c.evidence) } : c;
}

export function scrubReport(report: RunReport): RunReport {
  return { ...report, cells: report.cells.map(scrubCell) };
}
