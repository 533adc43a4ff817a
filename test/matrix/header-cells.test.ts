/**
 * Custom-header cells (harness/matrix/cells.ts headerCells): each sends a persona's list request with its credential
 * moved into headers, and expects what that same request gets, or, beside a second API key, what the API key's
 * same request gets.
 */
import { describe, expect, it } from 'vitest';
import { castWith } from '../../harness/matrix/cast.js';
import { expectedMatrix } from '../../harness/matrix/expected.js';
import { schema } from '../helpers.js';

describe('custom-header cells', () => {
  // The shape of Joanna-T/annotation-platform's AnnotationTask: an index on the owner field, queried by each persona
  // with its own identity and with another's.
  const model = schema(`
    type Task @model @auth(rules: [
      { allow: groups, groups: ["Admin"] },
      { allow: owner, operations: [read, update] },
      { allow: public, operations: [read] }
    ]) {
      title: String
      owner: String @index(name: "byOwner", queryField: "tasksByOwner")
    }`);
  const cells = expectedMatrix(model, castWith(model, {}));
  const plainList = (persona: string) => cells.find((c) => c.kind === 'model' && c.model === 'Task' && c.operation === 'list' && c.persona === persona && !c.variant)!;

  it("send the persona's plain list, not one of its key queries (whose key differs from persona to persona)", () => {
    const headers = cells.filter((c) => c.kind === 'header');
    expect(headers.length).toBeGreaterThan(0);
    for (const h of headers) {
      expect(h.action.type === 'headers' && h.action.base).toEqual(plainList(h.persona).action);
      expect(h.id).toBe(`${plainList(h.persona).id}|${h.variant}`);
    }
  });

  it("beside a second API key, expect the API key's answer to the same request", () => {
    const key = plainList('apiKey');
    const second = cells.filter((c) => c.variant === 'headers:second-key');
    expect(second.map((c) => c.persona)).toContain('owner');
    for (const c of second) expect({ expected: c.expected, decision: c.decision }).toEqual({ expected: key.expected, decision: key.decision });
  });
});
