/**
 * Routing as API Gateway does it, before any authorization.
 * REST APIs (`route`): the request path (below the stage) selects one resource, preferring at each level a literal
 * segment, then a `{param}` segment, then a greedy `{proxy+}`; the resource's method for the verb, else its `ANY`
 * method, handles the request. A path that selects no resource, or a resource without the verb and without `ANY`, has
 * no route.
 * HTTP APIs (`routeByMethod`): only routes taking the verb (or `ANY`) compete, and a route matching every segment
 * ("full match for a route and method") beats one matching through a greedy `{proxy+}`; among either, the same
 * preference per level, and at one path the verb's own route before `ANY`
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-routes.html, "Routing API requests").
 */
import type { RestMethod } from '../../schema/rest/model.js';

/** What routing needs of a method (a REST API's method, an HTTP API's route). */
type Routable = Pick<RestMethod, 'method' | 'resourcePath'>;

interface Node<M extends Routable> {
  literal: Map<string, Node<M>>;
  param?: { name: string; node: Node<M> };
  greedy?: { name: string; node: Node<M> };
  methods: Map<string, M>;
  /** The resource path (`/items/{proxy+}`). */
  path: string;
}

export interface Route<M extends Routable = RestMethod> {
  method: M;
  /** The resource path the request selected. */
  resource: string;
  pathParameters: Record<string, string>;
}

export class Router<M extends Routable = RestMethod> {
  private readonly root: Node<M> = newNode('/');

  constructor(methods: readonly M[]) {
    for (const m of methods) this.nodeFor(m.resourcePath).methods.set(m.method, m);
  }

  route(verb: string, path: string): Route<M> | undefined {
    const segments = pathSegments(path);
    const found = match(this.root, segments, 0, {}, () => true, true);
    return found && this.taking(found, verb);
  }

  /** An HTTP API's route for the request: full matches first, then greedy ones, each among routes taking the verb. */
  routeByMethod(verb: string, path: string): Route<M> | undefined {
    const segments = pathSegments(path);
    const takes = (node: Node<M>) => node.methods.has(verb) || node.methods.has('ANY');
    const found = match(this.root, segments, 0, {}, takes, false) ?? match(this.root, segments, 0, {}, takes, true);
    return found && this.taking(found, verb);
  }

  private taking(found: { node: Node<M>; params: Record<string, string> }, verb: string): Route<M> | undefined {
    const method = found.node.methods.get(verb) ?? found.node.methods.get('ANY');
    return method ? { method, resource: found.node.path, pathParameters: found.params } : undefined;
  }

  private nodeFor(path: string): Node<M> {
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

/** `/` is the root resource; a trailing slash is an empty last segment, which no resource matches. */
function pathSegments(path: string): string[] {
  const segments = path.split('/').slice(1);
  return segments.length === 1 && segments[0] === '' ? [] : segments;
}

function newNode<M extends Routable>(path: string): Node<M> {
  return { literal: new Map(), methods: new Map(), path };
}

/**
 * The most specific resource for the segments that `accepts` takes (through a greedy variable only when `greedy`);
 * backtracks when a more specific branch has no such resource for the rest.
 */
function match<M extends Routable>(node: Node<M>, segs: string[], i: number, params: Record<string, string>, accepts: (node: Node<M>) => boolean, greedy: boolean): { node: Node<M>; params: Record<string, string> } | undefined {
  if (i === segs.length) return accepts(node) ? { node, params } : undefined;
  const seg = segs[i]!;
  if (seg === '') return undefined;
  const literal = node.literal.get(seg);
  const viaLiteral = literal && match(literal, segs, i + 1, params, accepts, greedy);
  if (viaLiteral) return viaLiteral;
  if (node.param) {
    const viaParam = match(node.param.node, segs, i + 1, { ...params, [node.param.name]: decode(seg) }, accepts, greedy);
    if (viaParam) return viaParam;
  }
  if (greedy && node.greedy && accepts(node.greedy.node)) return { node: node.greedy.node, params: { ...params, [node.greedy.name]: segs.slice(i).map(decode).join('/') } };
  return undefined;
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
