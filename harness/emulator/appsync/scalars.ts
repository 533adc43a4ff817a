/** AppSync's scalars, validated the way AppSync validates inputs. */
import { isIP } from 'node:net';
import { GraphQLError, Kind, type GraphQLScalarType, type GraphQLSchema, type ValueNode } from 'graphql';

type Check = (v: unknown) => boolean;

const str = (re: RegExp): Check => (v) => typeof v === 'string' && re.test(v);
const TZ = '(Z|[+-]\\d{2}:\\d{2}(:\\d{2})?)';

const CHECKS: Record<string, Check> = {
  AWSDate: str(new RegExp(`^\\d{4}-\\d{2}-\\d{2}${TZ}?$`)),
  AWSTime: str(new RegExp(`^\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?${TZ}?$`)),
  AWSDateTime: str(new RegExp(`^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?${TZ}$`)),
  AWSTimestamp: (v) => typeof v === 'number' && Number.isInteger(v),
  AWSEmail: str(/^[^\s@]+@[^\s@]+\.[^\s@]+$/),
  AWSURL: (v) => {
    if (typeof v !== 'string') return false;
    try {
      return new URL(v).protocol.length > 1;
    } catch {
      return false;
    }
  },
  AWSPhone: str(/^\+?[\d\s().-]{5,20}$/),
  AWSIPAddress: (v) => typeof v === 'string' && (isIP(v.split('/')[0]!) !== 0),
  AWSJSON: (v) => {
    if (typeof v !== 'string') return true;
    try {
      JSON.parse(v);
      return true;
    } catch {
      return false;
    }
  },
};

function literal(node: ValueNode): unknown {
  switch (node.kind) {
    case Kind.STRING:
    case Kind.ENUM:
      return node.value;
    case Kind.INT:
      return Number.parseInt(node.value, 10);
    case Kind.FLOAT:
      return Number.parseFloat(node.value);
    case Kind.BOOLEAN:
      return node.value;
    case Kind.NULL:
      return null;
    case Kind.LIST:
      return node.values.map(literal);
    case Kind.OBJECT:
      return Object.fromEntries(node.fields.map((f) => [f.name.value, literal(f.value)]));
    default:
      return undefined;
  }
}

/** Gives the SDL-declared AppSync scalars their parsing and serialization. */
export function installAppSyncScalars(schema: GraphQLSchema): void {
  for (const [name, check] of Object.entries(CHECKS)) {
    const type = schema.getType(name) as GraphQLScalarType | undefined;
    if (!type) continue;
    const parse = (v: unknown) => {
      if (!check(v)) throw new GraphQLError(`Can't serialize value: Invalid ${name} value ${JSON.stringify(v)}`);
      return name === 'AWSJSON' && typeof v === 'string' ? v : v;
    };
    Object.assign(type, {
      parseValue: parse,
      parseLiteral: (node: ValueNode) => parse(literal(node)),
      serialize: (v: unknown) => (name === 'AWSJSON' && typeof v !== 'string' ? JSON.stringify(v) : v),
    });
  }
}
