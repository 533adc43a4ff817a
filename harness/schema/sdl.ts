/**
 * Normalizes Amplify model SDL (`@model`, `@auth`, relations, keys, custom operations) into an AuthModel.
 * Gen 1 `schema.graphql` is read directly; Gen 2 schemas go through `schema.transform()` first, which
 * yields the same SDL. The builders in `sdl/` each make one part (models, fields, relations, rules,
 * custom operations), the way graphql-js's `extendSchema` is a set of `build*` functions.
 */
import { GraphQLError, Kind, parse, type DocumentNode, type FieldDefinitionNode, type InputObjectTypeDefinitionNode } from 'graphql';
import { withoutAiRoutes } from './ai-routes.js';
import { InputError } from './errors.js';
import { AUTH_MODEL_VERSION, type AuthModel, type CustomType, type Enum, type InputType, type Model } from './model.js';
import { unwrap } from './sdl/ast.js';
import { sdlContext, sdlError, checkDirectives, type SdlContext, type SdlInput } from './sdl/context.js';
import { buildCustomOperation, TYPE_LEVEL } from './sdl/custom-operations.js';
import { buildField } from './sdl/fields.js';
import { buildModel } from './sdl/models.js';
import { addRelationKeyFields, linkManyToMany } from './sdl/relations.js';
import { buildDirectiveRules, checkProviders, globalAuthRule } from './sdl/rules.js';

export type { SdlInput } from './sdl/context.js';

/** Parses SDL and normalizes it. Throws InputError for anything the transformer would reject. */
export function authModelFromSdl(input: SdlInput): AuthModel {
  const ctx = sdlContext(input);
  let doc: DocumentNode;
  try {
    doc = parse(input.sdl);
  } catch (e) {
    if (e instanceof GraphQLError) {
      const loc = e.locations?.[0];
      throw new InputError(`GraphQL syntax error: ${e.message.replace(/^Syntax Error: /, '')}`, {
        file: input.file,
        ...(input.kind === 'gen1' && loc ? { line: loc.line, column: loc.column } : {}),
      }, 'correct the schema syntax');
    }
    throw e;
  }
  const { doc: modelled, caveats } = withoutAiRoutes(doc);
  const model = buildAuthModel(ctx, modelled);
  const searchable = searchableModels(modelled);
  if (searchable.length) {
    caveats.push(`@searchable on ${searchable.join(', ')}: the search queries it adds are not tested (OpenSearch is not emulated); the models' other operations are`);
  }
  return caveats.length ? { ...model, caveats: [...(model.caveats ?? []), ...caveats] } : model;
}

/** Models streamed to OpenSearch by `@searchable`, whose search queries the emulator does not serve. */
function searchableModels(doc: DocumentNode): string[] {
  return doc.definitions.flatMap((d) => (d.kind === Kind.OBJECT_TYPE_DEFINITION && d.directives?.some((x) => x.name.value === 'model')
    && d.directives.some((x) => x.name.value === 'searchable') ? [d.name.value] : []));
}

/** Sorts the document into enums, object types (models among them), inputs and operations, then builds each. */
function buildAuthModel(ctx: SdlContext, doc: DocumentNode): AuthModel {
  let globalRule: Record<string, unknown> | undefined;
  const inputs: InputObjectTypeDefinitionNode[] = [];
  const operationFields: { type: (typeof TYPE_LEVEL)[number]; node: FieldDefinitionNode }[] = [];
  for (const def of doc.definitions) {
    if (def.kind === Kind.ENUM_TYPE_DEFINITION) ctx.enums.set(def.name.value, def);
    else if (def.kind === Kind.INTERFACE_TYPE_DEFINITION) {
      // graphql-auth-transformer.ts field(): "The @auth directive cannot be placed on an interface's field."
      const f = def.fields?.find((x) => x.directives?.some((d) => d.name.value === 'auth'));
      if (f) throw sdlError(ctx, `The @auth directive cannot be placed on an interface's field (${def.name.value}.${f.name.value})`, f, def.name.value, f.name.value, 'put the rules on the fields of the types that implement the interface');
    } else if (def.kind === Kind.OBJECT_TYPE_DEFINITION || def.kind === Kind.OBJECT_TYPE_EXTENSION) {
      const name = def.name.value;
      if ((TYPE_LEVEL as readonly string[]).includes(name)) {
        for (const f of def.fields ?? []) operationFields.push({ type: name as (typeof TYPE_LEVEL)[number], node: f });
        continue;
      }
      if (def.kind === Kind.OBJECT_TYPE_EXTENSION) throw sdlError(ctx, `type extensions are not supported (extend type ${name})`, def, name, undefined, 'merge the extension into the type');
      ctx.objects.set(name, def);
      if (def.directives?.some((d) => d.name.value === 'model')) ctx.modelNames.add(name);
    } else if (def.kind === Kind.INPUT_OBJECT_TYPE_DEFINITION) {
      if (def.name.value === 'AMPLIFY') globalRule = globalAuthRule(ctx, def);
      else inputs.push(def);
    }
  }

  // The global rule opens the models without rules to API keys (sandbox mode); without the API-key mode it opens
  // nothing (the Amplify CLI only warns, amplify-backend deploys its own test projects so) and those models stay
  // ruleless: generic IAM access alone gets in.
  const sandboxRule = globalRule && ctx.input.authModes.enabled.includes('apiKey') ? globalRule : undefined;
  const models: Model[] = [];
  const customTypes: CustomType[] = [];
  for (const [name, node] of ctx.objects) {
    if (ctx.modelNames.has(name)) models.push(buildModel(ctx, node, sandboxRule));
    else {
      checkDirectives(ctx, node.directives ?? [], name);
      const auth = node.directives?.find((d) => d.name.value === 'auth');
      // graphql-auth-transformer.ts object(): "Types annotated with @auth must also be annotated with @model."
      if (auth) throw sdlError(ctx, `${name} has @auth but no @model; types annotated with @auth must also be annotated with @model`, auth, name, undefined, 'add @model, or put the rules on the fields that return it');
      const rules = buildDirectiveRules(ctx, node.directives ?? [], name, name, false);
      customTypes.push({ name, fields: (node.fields ?? []).map((f) => buildField(ctx, name, f, false)), ...(rules.length ? { rules } : {}) });
    }
  }
  addRelationKeyFields(ctx, models);
  linkManyToMany(ctx, models);
  const enums: Enum[] = [...ctx.enums.values()].map((e) => ({
    name: e.name.value,
    values: (e.values ?? []).map((v) => v.name.value),
  }));
  const customOperations = operationFields
    .map(({ type, node }) => buildCustomOperation(ctx, type, node))
    .sort((x, y) => OPERATION_ORDER[x.type] - OPERATION_ORDER[y.type] || x.name.localeCompare(y.name));
  customTypes.sort((x, y) => x.name.localeCompare(y.name));
  const inputTypes: InputType[] = inputs
    .map((i) => ({
      name: i.name.value,
      fields: (i.fields ?? []).map((f) => {
        const t = unwrap(f.type);
        return { name: f.name.value, type: t.name, list: t.list, required: t.required };
      }),
    }))
    .sort((x, y) => x.name.localeCompare(y.name));
  enums.sort((x, y) => x.name.localeCompare(y.name));
  for (const m of models) checkProviders(ctx, m.rules, m.name);
  for (const m of models) for (const f of m.fields) if (f.rules) checkProviders(ctx, f.rules, m.name, f.name);
  for (const op of customOperations) checkProviders(ctx, op.rules, TYPE_NAME[op.type], op.name);

  return {
    version: AUTH_MODEL_VERSION,
    source: { kind: ctx.input.kind, path: ctx.input.file },
    authModes: ctx.input.authModes,
    // Gen 1: a global auth rule (`input AMPLIFY`) is what turns sandbox mode on.
    params: globalRule ? { ...ctx.input.params, sandboxMode: true } : ctx.input.params,
    models,
    customTypes,
    inputTypes,
    enums,
    customOperations,
  };
}

const OPERATION_ORDER = { query: 0, mutation: 1, subscription: 2 } as const;

const TYPE_NAME = { query: 'Query', mutation: 'Mutation', subscription: 'Subscription' } as const;
