/**
 * Gen 2 AI kit routes (`a.conversation()`, `a.generation()`) reach the SDL as fields carrying
 * `@conversation` / `@generation`. Their transformers build models, resolvers and a Lambda of their own
 * that authmatrix does not model: the routes are taken out, named in the model's caveats, and the rest of
 * the API runs.
 */
import { Kind, type DocumentNode, type ObjectTypeDefinitionNode } from 'graphql';

const AI_DIRECTIVES = ['conversation', 'generation'];

export function withoutAiRoutes(doc: DocumentNode): { doc: DocumentNode; caveats: string[] } {
  const removed: string[] = [];
  const definitions = doc.definitions.map((d) => {
    if (d.kind !== Kind.OBJECT_TYPE_DEFINITION && d.kind !== Kind.OBJECT_TYPE_EXTENSION) return d;
    const fields = d.fields?.filter((f) => {
      const ai = f.directives?.find((x) => AI_DIRECTIVES.includes(x.name.value));
      if (ai) removed.push(`${f.name.value} (${ai.name.value})`);
      return !ai;
    });
    return fields?.length === d.fields?.length ? d : ({ ...d, fields } as ObjectTypeDefinitionNode);
  });
  if (!removed.length) return { doc, caveats: [] };
  return {
    doc: { ...doc, definitions: definitions.filter((d) => !('fields' in d) || d.fields === undefined || d.fields.length > 0 || !isRootType(d)) },
    caveats: [`AI kit routes are not modelled and were left out: ${removed.join(', ')}`],
  };
}

function isRootType(d: { name?: { value: string } }): boolean {
  return ['Query', 'Mutation', 'Subscription'].includes(d.name?.value ?? '');
}
