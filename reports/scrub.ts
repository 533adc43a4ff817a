/**
 * Defence in depth: the client redacts request headers before they reach a cell's evidence, and the
 * reports redact once more, so that a secret that slipped into a results file (an unredacted header, a
 * token in a variable or a response body) is never rendered. Values already redacted are kept as they are.
 */
import { redactDeep, redactHeaders } from '../harness/client/redact.js';
import type { CellResult, Evidence } from '../harness/matrix/verdict.js';
import type { RunReport } from './results.js';

function evidence(e: Evidence): Evidence {
  return {
    request: {
      ...e.request,
      headers: redactHeaders(Object.fromEntries(Object.entries(e.request.headers ?? {}).map(([k, v]) => [k, String(v)]))),
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
