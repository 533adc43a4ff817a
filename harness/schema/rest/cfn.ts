/**
 * Reads synthesized CloudFormation templates: every intrinsic (`Ref`, `Fn::GetAtt`, `Fn::Join`,
 * `Fn::Sub`, `Fn::Select`, `Fn::Split`, `Fn::ImportValue`, `Fn::If` on the template's `Conditions`, pseudo
 * parameters) evaluated to plain strings,
 * with stable stand-in physical ids (an API id, role and function names, ARNs) for resources that were
 * never deployed. Cross-stack references are followed through the exporting stack's outputs.
 */
import { createHash } from 'node:crypto';

export interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
  /** CDK writes the construct path here (`aws:cdk:path`). */
  Metadata?: Record<string, unknown>;
}

export interface Template {
  Resources?: Record<string, CfnResource>;
  Outputs?: Record<string, { Value: unknown; Export?: { Name: unknown } }>;
  Parameters?: Record<string, { Default?: unknown }>;
  /** Conditions as `Fn::Equals`, `Fn::Not`, `Fn::And`, `Fn::Or` and `Condition` (the Amplify CLI's `ShouldNotCreateEnvResources`). */
  Conditions?: Record<string, unknown>;
}

export interface ResourceAt {
  stack: string;
  logicalId: string;
  resource: CfnResource;
}

const NO_VALUE = Symbol('AWS::NoValue');

export class Templates {
  private readonly exports = new Map<string, { stack: string; value: unknown }>();

  constructor(
    private readonly templates: Record<string, Template>,
    private readonly env: { region: string; account: string },
  ) {
    for (const [stack, t] of Object.entries(templates)) {
      for (const out of Object.values(t.Outputs ?? {})) {
        if (out.Export) this.exports.set(String(this.resolve(stack, out.Export.Name)), { stack, value: out.Value });
      }
    }
  }

  *resources(type?: string): Iterable<ResourceAt> {
    for (const [stack, t] of Object.entries(this.templates)) {
      for (const [logicalId, resource] of Object.entries(t.Resources ?? {})) {
        if (!type || resource.Type === type) yield { stack, logicalId, resource };
      }
    }
  }

  resource(stack: string, logicalId: string): CfnResource | undefined {
    return this.templates[stack]?.Resources?.[logicalId];
  }

  /** A property with every intrinsic evaluated. */
  prop(at: ResourceAt, name: string): unknown {
    return this.resolve(at.stack, at.resource.Properties?.[name]);
  }

  /** The stand-in physical id a `Ref` to this resource returns. */
  physicalId(stack: string, logicalId: string): string {
    const r = this.resource(stack, logicalId);
    if (!r) throw new Error(`unknown resource ${logicalId} in stack ${stack}`);
    switch (r.Type) {
      case 'AWS::ApiGateway::Stage':
        return String(this.resolve(stack, r.Properties?.StageName));
      case 'AWS::ApiGateway::RestApi':
      case 'AWS::ApiGatewayV2::Api':
        // API Gateway ids are ten lower-case letters and digits.
        return createHash('sha256').update(`${stack}/${logicalId}`).digest('hex').replace(/[^a-z0-9]/g, '').slice(0, 10);
      case 'AWS::Cognito::UserPoolResourceServer':
        // Its identifier: a custom scope is `<identifier>/<scope>` (CDK's OAuthScope.resourceServer builds it from this Ref).
        return String(this.resolve(stack, r.Properties?.Identifier));
      case 'AWS::Cognito::IdentityPool': {
        // `<region>:<uuid>`, as identity pool ids are: the emulator adopts it (RestSection.identityPoolId).
        const h = createHash('sha256').update(`${stack}/${logicalId}`).digest('hex');
        return `${this.env.region}:${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
      }
      default:
        return `${stack}-${logicalId}`;
    }
  }

  /** The resource a stand-in physical id (or ARN built from one) names. */
  byPhysicalId(id: string): ResourceAt | undefined {
    for (const at of this.resources()) if (this.physicalId(at.stack, at.logicalId) === id) return at;
    return undefined;
  }

  resolve(stack: string, value: unknown): unknown {
    const out = this.eval(stack, value);
    return out === NO_VALUE ? undefined : out;
  }

  private eval(stack: string, v: unknown): unknown {
    if (Array.isArray(v)) return v.map((x) => this.eval(stack, x)).filter((x) => x !== NO_VALUE);
    if (!v || typeof v !== 'object') return v;
    const entries = Object.entries(v as Record<string, unknown>);
    if (entries.length === 1) {
      const [key, arg] = entries[0]!;
      switch (key) {
        case 'Ref':
          return this.ref(stack, String(arg));
        case 'Fn::GetAtt': {
          const [id, attr] = Array.isArray(arg) ? arg.map(String) : String(arg).split(/\.(.*)/s);
          return this.getAtt(stack, id!, attr!);
        }
        case 'Fn::Join': {
          const [sep, parts] = arg as [string, unknown];
          return (this.eval(stack, parts) as unknown[]).map(String).join(sep);
        }
        case 'Fn::Select': {
          const [index, list] = arg as [unknown, unknown];
          return (this.eval(stack, list) as unknown[])[Number(this.eval(stack, index))];
        }
        case 'Fn::Split': {
          const [sep, s] = arg as [string, unknown];
          return String(this.eval(stack, s)).split(sep);
        }
        case 'Fn::Sub':
          return this.sub(stack, arg);
        case 'Fn::ImportValue': {
          const name = String(this.eval(stack, arg));
          const exp = this.exports.get(name);
          if (!exp) throw new Error(`no stack exports ${name}`);
          return this.eval(exp.stack, exp.value);
        }
        case 'Fn::If': {
          const [condition, yes, no] = arg as [string, unknown, unknown];
          return this.eval(stack, this.condition(stack, { Condition: condition }) ? yes : no);
        }
        case 'Fn::Base64':
          return Buffer.from(String(this.eval(stack, arg))).toString('base64');
        case 'Fn::GetAZs':
          return ['a', 'b', 'c'].map((z) => `${this.env.region}${z}`);
        default:
          break;
      }
    }
    return Object.fromEntries(entries.map(([k, x]) => [k, this.eval(stack, x)] as const).filter(([, x]) => x !== NO_VALUE));
  }

  private condition(stack: string, c: unknown): boolean {
    const [key, arg] = Object.entries((c ?? {}) as Record<string, unknown>)[0] ?? [];
    const args = (Array.isArray(arg) ? arg : []) as unknown[];
    switch (key) {
      case 'Condition': {
        const named = this.templates[stack]?.Conditions?.[String(arg)];
        if (named === undefined) throw new Error(`unknown condition ${String(arg)} in stack ${stack}`);
        return this.condition(stack, named);
      }
      case 'Fn::Equals':
        return JSON.stringify(this.eval(stack, args[0])) === JSON.stringify(this.eval(stack, args[1]));
      case 'Fn::Not':
        return !this.condition(stack, args[0]);
      case 'Fn::And':
        return args.every((x) => this.condition(stack, x));
      case 'Fn::Or':
        return args.some((x) => this.condition(stack, x));
      default:
        throw new Error(`unsupported condition ${JSON.stringify(c)} in stack ${stack}`);
    }
  }

  private ref(stack: string, name: string): unknown {
    switch (name) {
      case 'AWS::Region':
        return this.env.region;
      case 'AWS::AccountId':
        return this.env.account;
      case 'AWS::Partition':
        return 'aws';
      case 'AWS::URLSuffix':
        return 'amazonaws.com';
      case 'AWS::StackName':
        return stack;
      case 'AWS::StackId':
        return `arn:aws:cloudformation:${this.env.region}:${this.env.account}:stack/${stack}/authmatrix`;
      case 'AWS::NoValue':
        return NO_VALUE;
      default:
        break;
    }
    const param = this.templates[stack]?.Parameters?.[name];
    if (param) return this.eval(stack, param.Default);
    return this.physicalId(stack, name);
  }

  private getAtt(stack: string, logicalId: string, attr: string): string {
    const r = this.resource(stack, logicalId);
    if (!r) throw new Error(`unknown resource ${logicalId} in stack ${stack}`);
    const id = this.physicalId(stack, logicalId);
    const { region, account } = this.env;
    if (attr === 'Arn') {
      switch (r.Type) {
        case 'AWS::IAM::Role':
          return `arn:aws:iam::${account}:role/${id}`;
        case 'AWS::Lambda::Function':
          return `arn:aws:lambda:${region}:${account}:function:${id}`;
        case 'AWS::Cognito::UserPool':
          return `arn:aws:cognito-idp:${region}:${account}:userpool/${id}`;
        case 'AWS::S3::Bucket':
          return `arn:aws:s3:::${id.toLowerCase()}`;
        case 'AWS::DynamoDB::Table':
          return `arn:aws:dynamodb:${region}:${account}:table/${id}`;
        default:
          return `arn:aws:${r.Type.split('::')[1]!.toLowerCase()}:${region}:${account}:${id}`;
      }
    }
    if (r.Type === 'AWS::ApiGateway::RestApi' && attr === 'RootResourceId') return `${id}/`;
    if (r.Type === 'AWS::Cognito::UserPool' && attr === 'ProviderName') return `cognito-idp.${region}.amazonaws.com/${id}`;
    return `${id}.${attr}`;
  }

  private sub(stack: string, arg: unknown): string {
    const [text, vars] = Array.isArray(arg) ? (arg as [string, Record<string, unknown>]) : [String(arg), {}];
    return text.replace(/\$\{([^}!][^}]*)\}/g, (_, name: string) => {
      if (name in vars) return String(this.eval(stack, vars[name]));
      const dot = name.indexOf('.');
      if (dot > 0 && !name.startsWith('AWS::')) return this.getAtt(stack, name.slice(0, dot), name.slice(dot + 1));
      return String(this.ref(stack, name));
    }).replace(/\$\{!/g, '${');
  }
}
