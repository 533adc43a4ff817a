/**
 * Sample values for fields of custom types (harness/matrix/fixtures.ts `sampleValue`): every required field is
 * filled however deep it sits, as AppSync refuses an input that leaves one out (AI kit's message types nest them
 * five deep: `content[0].toolResult.content[0].document.format`).
 */
import { describe, expect, it } from 'vitest';
import { sampleInput } from '../../harness/matrix/fixtures.js';
import { schema } from '../helpers.js';

const model = schema(`
  type Format { format: String! }
  type Document { format: Format!, name: String }
  type ToolResultContent { document: Document!, text: String }
  type ToolResult { content: [ToolResultContent!]!, status: String }
  type Content { toolResult: ToolResult!, text: String }
  type Turn { content: [Content!]!, note: String }
  type Message @model @auth(rules: [{ allow: public }]) {
    id: ID!
    turns: [Turn!]!
  }
`);

describe('sample values of nested custom types', () => {
  it('fill every required field at any depth, and the optional ones only near the top', () => {
    const input = sampleInput(model, model.models.find((m) => m.name === 'Message')!) as { turns: { content: { toolResult: { content: { document: unknown }[] } }[] }[] };
    expect(input.turns[0]!.content[0]!.toolResult.content[0]!).toEqual({ document: { format: { format: 'sample' } } });
  });

  it('stop on a type that requires itself', () => {
    const looped = schema(`
      type Node { next: Node!, label: String }
      type Graph @model @auth(rules: [{ allow: public }]) { id: ID!, root: Node! }
    `);
    let depth = 0;
    for (let n = (sampleInput(looped, looped.models[0]!) as { root: Record<string, unknown> }).root; n?.next; n = n.next as Record<string, unknown>) depth++;
    expect(depth).toBeGreaterThan(3);
    expect(depth).toBeLessThan(20);
  });
});
