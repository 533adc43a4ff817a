/**
 * Baseline: node:http + graphql-js executing the same getTodo, no auth. It caches parsed and validated
 * documents like the emulator does, so the comparison measures auth and resolver work, not parsing.
 */
import { createServer } from 'node:http';
import { buildSchema, execute, parse, validate } from 'graphql';

const schema = buildSchema('type Todo { id: ID! content: String! owner: String } type Query { getTodo(id: ID!): Todo }');
const todo = { id: 't1', content: 'bench', owner: 'alice' };
const rootValue = { getTodo: ({ id }) => (id === todo.id ? todo : null) };
const documents = new Map();
const server = createServer((req, res) => {
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', async () => {
    const { query, variables } = JSON.parse(body);
    let document = documents.get(query);
    if (!document) {
      document = parse(query);
      const errors = validate(schema, document);
      if (errors.length) throw errors[0];
      documents.set(query, document);
    }
    const result = await execute({ schema, document, variableValues: variables, rootValue });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(result));
  });
});
server.listen(0, '127.0.0.1', () => process.stdout.write(JSON.stringify({ url: `http://127.0.0.1:${server.address().port}/graphql` }) + '\n'));
