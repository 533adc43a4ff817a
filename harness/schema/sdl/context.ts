/**
 * What the SDL builders share: the input, the document's enums and object types (models among them),
 * and errors that point at the user's file. Also the directives the transformer accepts.
 */
import type { ASTNode, ConstDirectiveNode, EnumTypeDefinitionNode, ObjectTypeDefinitionNode } from 'graphql';
import { InputError, type SourceLocation } from '../errors.js';
import { SCALAR_TYPES, type AuthModel, type AuthModes, type CustomHandler, type FieldTypeKind, type TransformParams } from '../model.js';

export interface FunctionEntry {
  name: string;
  /** Absolute path of the handler module. */
  entry?: string;
  /** Why it is never run here (a function a CDK callback builds). */
  notRun?: string;
}

export interface SdlInput {
  sdl: string;
  /** The file the user wrote: reported in errors. */
  file: string;
  kind: AuthModel['source']['kind'];
  authModes: AuthModes;
  params: TransformParams;
  /** Handlers known outside the SDL (Gen 2 JS resolvers and function entries), keyed `Query.name`. */
  handlers?: Map<string, CustomHandler>;
  /**
   * `@function(name:)` functions, keyed by that name: the handler module, and the app's own name for the
   * function (Gen 2: `defineFunction`'s name, where the SDL has a generated one; Gen 1: the same name).
   */
  functionEntries?: Map<string, FunctionEntry>;
  /**
   * Maps an SDL position to the user's file. Gen 1: identity. Gen 2: the SDL is generated, so errors
   * point at the resource file, at the line naming the type or field when it can be found.
   */
  locate?: (typeName: string, fieldName?: string) => SourceLocation;
}

export interface SdlContext {
  readonly input: SdlInput;
  readonly enums: Map<string, EnumTypeDefinitionNode>;
  readonly objects: Map<string, ObjectTypeDefinitionNode>;
  readonly modelNames: Set<string>;
  /** Gen 1's implicit relation key fields, found while reading relations and added once every model is built. */
  readonly implicitKeys: ImplicitKey[];
}

export interface ImplicitKey {
  model: string;
  name: string;
  /** The key field it holds the value of. */
  from: string;
  fromField: string;
  required: boolean;
}

export function sdlContext(input: SdlInput): SdlContext {
  return { input, enums: new Map(), objects: new Map(), modelNames: new Set(), implicitKeys: [] };
}

const KNOWN_DIRECTIVES: Record<string, readonly string[] | 'any'> = {
  model: ['queries', 'mutations', 'subscriptions', 'timestamps'],
  auth: ['rules'],
  primaryKey: ['sortKeyFields'],
  index: ['name', 'sortKeyFields', 'queryField'],
  hasMany: ['indexName', 'fields', 'limit', 'references'],
  hasOne: ['fields', 'references'],
  belongsTo: ['fields', 'references'],
  manyToMany: ['relationName', 'limit'],
  default: ['value'],
  function: ['name', 'invocationType'],
  aws_subscribe: ['mutations'],
  aws_api_key: [],
  aws_iam: [],
  aws_oidc: [],
  aws_lambda: [],
  aws_cognito_user_pools: ['cognito_groups'],
  aws_auth: ['cognito_groups'],
  // Directives with no bearing on auth: accepted and ignored.
  http: 'any',
  searchable: 'any',
  predictions: 'any',
  mapsTo: 'any',
  refersTo: 'any',
  sql: 'any',
  deprecated: 'any',
};

export function checkDirectives(ctx: SdlContext, directives: readonly ConstDirectiveNode[], type: string, field?: string): void {
  for (const d of directives) {
    const known = KNOWN_DIRECTIVES[d.name.value];
    if (!known) throw sdlError(ctx, `unknown directive @${d.name.value}`, d, type, field, 'remove it or correct its name');
    if (known === 'any') continue;
    for (const arg of d.arguments ?? []) {
      if (!known.includes(arg.name.value)) {
        throw sdlError(ctx, `unknown argument "${arg.name.value}" on @${d.name.value}`, arg, type, field,
          known.length ? `use ${known.join(', ')}` : `@${d.name.value} takes no arguments`);
      }
    }
  }
}

export function typeKindOf(ctx: SdlContext, type: string, node: ASTNode, parent: string, field: string): FieldTypeKind {
  if ((SCALAR_TYPES as readonly string[]).includes(type)) return 'scalar';
  if (ctx.enums.has(type)) return 'enum';
  if (ctx.modelNames.has(type)) return 'model';
  if (ctx.objects.has(type)) return 'customType';
  throw sdlError(ctx, `unknown type ${type}`, node, parent, field, `define ${type} or use an AppSync scalar`);
}

export function sdlError(ctx: SdlContext, message: string, node: ASTNode | undefined, type: string, field: string | undefined, fix: string): InputError {
  if (ctx.input.kind === 'gen1' && node?.loc) {
    const { line, column } = node.loc.startToken;
    return new InputError(message, { file: ctx.input.file, line, column }, fix);
  }
  return new InputError(message, ctx.input.locate?.(type, field) ?? { file: ctx.input.file }, fix);
}
