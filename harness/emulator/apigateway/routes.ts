/**
 * REST API routing as API Gateway does it, before any authorization: the request path (below the stage)
 * selects one resource, preferring at each level a literal segment, then a `{param}` segment, then a
 * greedy `{proxy+}`; the resource's method for the verb, else its `ANY` method, handles the request.
 * A path that selects no resource, or a resource without the verb and without `ANY`, has no route.
 */
import type { RestApi, RestMethod } from '../../schema/rest/model.js';

interface Node {
  literal: Map<string, Node>;
  param?: { name: string; node: Node };
  greedy?: { name: string; node: Node };
  methods: Map<string, RestMethod>;
  /** The resource path (`/items/{proxy+}`). */
  path: string;
}

export interface Route {
  method: RestMethod;
  /** The resource path the request selected. */
  resource: string;
  pathParameters: Record<string, string>;
}

export class Router {
  private readonly root: Node = newNode('/');

  constructor(api: RestApi) {
    for (const m of api.methods) this.nodeFor(m.resourcePath).methods.set(m.method, m);
  }

  route(verb: string, path: string): Route | undefined {
    const segments = path.split('/').slice(1);
    // `/` is the root resource; a trailing slash is an empty last segment, which no resource matches.
    if (segments.length === 1 && segments[0] === '') segments.length = 0;
    const found = match(this.root, segments, 0, {});
    if (!found) return undefined;
    const method = found.node.methods.get(verb) ?? found.node.methods.get('ANY');
    return method ? { method, resource: found.node.path, pathParameters: found.params } : undefined;
  }

  private nodeFor(path: string): Node {
    let node = this.root;
    for (const seg of path.split('/').filter(Boolean)) {
      const greedy = /^\{(.+)\+\}$/.exec(seg);
      const param = /^\{(.+)\}$/.exec(seg);
      const childPath = `${node.path === '/' ? '' : node.path}/${seg}`;
      if (greedy) node = (node.greedy ??= { name: greedy[1]!, node: newNode(childPath) }).node;
      else if (param) node = (node.param ??= { name: param[1]!, node: newNode(childPath) }).node;
      else {
        let next = node.literal.get(seg);
        if (!next) node.literal.set(seg, (next = newNode(childPath)));
        node = next;
      }
    }
    return node;
  }
}

function newNode(path: string): Node {
  return { literal: new Map(), methods: new Map(), path };
}

/** The most specific resource for the segments; backtracks when a more specific branch has no resource for the rest. */
function match(node: Node, segs: string[], i: number, params: Record<string, string>): { node: Node; params: Record<string, string> } | undefined {
  if (i === segs.length) return { node, params };
  const seg = segs[i]!;
  if (seg === '') return undefined;
  const literal = node.literal.get(seg);
  const viaLiteral = literal && match(literal, segs, i + 1, params);
  if (viaLiteral) return viaLiteral;
  if (node.param) {
    const viaParam = match(node.param.node, segs, i + 1, { ...params, [node.param.name]: decode(seg) });
    if (viaParam) return viaParam;
  }
  if (node.greedy) return { node: node.greedy.node, params: { ...params, [node.greedy.name]: segs.slice(i).map(decode).join('/') } };
  return undefined;
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
