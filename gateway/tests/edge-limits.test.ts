import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { buildSchema, getOperationAST, parse } from 'graphql';
import { CostEstimator, DEFAULT_COST_OPTIONS, OperationLimiter, checkOperationLimits } from '../src/edge/index.js';
import { post, startEdgeFixture, type EdgeFixture } from './edge-fixtures.js';

describe('gateway edge: request limits (real gateway, two real subgraphs)', () => {
  let fixture: EdgeFixture;

  beforeAll(async () => {
    fixture = await startEdgeFixture({
      bodyLimit: '4kb',
      edge: {
        limits: { depth: 4, aliases: 3, rootFields: 3, tokens: 200 },
        cost: { maxCost: 200 },
      },
    });
  });
  afterAll(() => fixture.stop());

  const refused = async (query: string, variables: Record<string, unknown> = {}) => {
    const { status, body } = await post(fixture.url, { query, variables });
    return { status, error: body.errors?.[0], data: body.data };
  };

  it('answers operations within every limit', async () => {
    const { status, body } = await post(fixture.url, { query: '{ me { name friends(first: 2) { name } } }' });
    expect(status).toBe(200);
    expect(body).toEqual({
      data: { me: { name: 'Account 1', friends: [{ name: 'Account f1' }, { name: 'Account f2' }] } },
    });
  });

  it('refuses a document nested too deep, naming the limit', async () => {
    const result = await refused('{ me { friends { friends { friends { friends { id } } } } } }');
    expect(result).toEqual({
      status: 400,
      data: undefined,
      error: {
        message: 'The operation exceeds the depth limit (6 > 4)',
        extensions: { code: 'OPERATION_LIMIT_EXCEEDED', limit: 'depth', max: 4, actual: 6 },
      },
    });
  });

  it('counts depth through fragments', async () => {
    const result = await refused(
      'query Q { me { ...F } } fragment F on Account { friends { friends { friends { friends { id } } } } }',
    );
    expect(result.error?.extensions).toEqual({ code: 'OPERATION_LIMIT_EXCEEDED', limit: 'depth', max: 4, actual: 6 });
  });

  it('refuses too many aliases, counting a fragment once per spread', async () => {
    const result = await refused('{ me { ...A } again: me { ...A } } fragment A on Account { a: id b: name }');
    expect(result.status).toBe(400);
    expect(result.error?.extensions).toEqual({
      code: 'OPERATION_LIMIT_EXCEEDED',
      limit: 'aliases',
      max: 3,
      actual: 5,
    });
  });

  it('refuses too many root fields', async () => {
    const result = await refused('{ a: me { id } b: me { id } me { id } products { id } }');
    expect(result.error?.extensions).toMatchObject({ limit: 'rootFields', max: 3, actual: 4 });
  });

  it('refuses too many tokens before parsing', async () => {
    const result = await refused(`{ me { ${'id '.repeat(200)} } }`);
    expect(result.error?.extensions).toEqual({
      code: 'OPERATION_LIMIT_EXCEEDED',
      limit: 'tokens',
      max: 200,
      actual: 205,
    });
  });

  it('estimates cost with list sizes from literals, defaults and variables', async () => {
    // accounts(first: 10) objects, each with friends(first: 5): 10 · (1 + 5) = 60.
    expect((await refused('{ accounts { friends { id } } }')).status).toBe(200);
    // 30 · (1 + 10) = 330 > 200.
    expect((await refused('{ accounts(first: 30) { friends(first: 10) { id } } }')).error?.extensions).toEqual({
      code: 'OPERATION_LIMIT_EXCEEDED',
      limit: 'cost',
      max: 200,
      actual: 330,
    });
    const byVariable = 'query Q($n: Int!) { accounts(first: $n) { friends { id } } }';
    expect((await refused(byVariable, { n: 3 })).status).toBe(200);
    expect((await refused(byVariable, { n: 40 })).error?.extensions).toMatchObject({ limit: 'cost', actual: 240 });
  });

  it('counts entity fields of other subgraphs and mutations', async () => {
    // 10 accounts · (1 + favourites 10 · 1) = 110.
    expect((await refused('{ accounts { favourites { id } } }')).status).toBe(200);
    // A mutation root field: 1 object + 10.
    const mutation = await post(fixture.url, { query: 'mutation { rename(name: "x") { name } }' });
    expect(mutation.body).toEqual({ data: { rename: { name: 'x' } } });
  });

  it('refuses a body over the size limit with PAYLOAD_TOO_LARGE, as JSON', async () => {
    const { status, headers, body } = await post(fixture.url, {
      query: '{ me { id } }',
      variables: { padding: 'x'.repeat(5_000) },
    });
    expect(status).toBe(413);
    expect(headers.get('content-type')).toContain('application/json');
    expect(body).toEqual({
      errors: [
        {
          message: 'The request body is too large',
          extensions: { code: 'PAYLOAD_TOO_LARGE', limit: 'bodySize', max: 4096, actual: expect.any(Number) },
        },
      ],
    });
  });

  it('checks GET requests too', async () => {
    const url = new URL(fixture.url);
    url.searchParams.set('query', '{ a: me { id } b: me { id } c: me { id } d: me { id } }');
    const response = await fetch(url, { headers: { 'apollo-require-preflight': 'true' } });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { errors: { extensions: unknown }[] }).errors[0]?.extensions).toMatchObject({
      limit: 'aliases',
    });
  });
});

describe('operation limiter', () => {
  it('analyses a distinct document once', () => {
    const limiter = new OperationLimiter({ depth: 3, aliases: 3, rootFields: 3, tokens: 100 });
    const source = '{ me { id } }';
    const first = limiter.analyze(source);
    // A new string with the same text (as each request body is) finds the same analysis.
    expect(limiter.analyze(` ${source}`.slice(1))).toBe(first);
  });

  it('picks the operation by name', () => {
    const source = 'query Shallow { me { id } } query Deep { me { friends { friends { friends { id } } } } }';
    const limits = { depth: 3, aliases: 3, rootFields: 3, tokens: 100 };
    expect(checkOperationLimits(source, limits, 'Shallow')).toBeUndefined();
    expect(checkOperationLimits(source, limits, 'Deep')?.extensions).toMatchObject({ limit: 'depth', actual: 5 });
    // Parsed documents (graphql-ws) are accepted as well.
    expect(checkOperationLimits(parse(source), limits, 'Deep')?.extensions).toMatchObject({ limit: 'depth' });
  });

  it('survives cyclic and unknown fragments (validation reports them)', () => {
    const limits = { depth: 3, aliases: 3, rootFields: 3, tokens: 100 };
    expect(checkOperationLimits('{ me { ...A } } fragment A on Account { ...A ...B }', limits)).toBeUndefined();
  });
});

describe('cost estimator', () => {
  const schema = buildSchema(`
    type Query { users(first: Int = 20, after: String): UserConnection! }
    type UserConnection { edges: [UserEdge!]! }
    type UserEdge { cursor: String! node: User! }
    type User { id: ID! posts(first: Int = 20): PostConnection! }
    type PostConnection { edges: [PostEdge!]! }
    type PostEdge { node: Post! }
    type Post { id: ID! }
  `);
  const cost = (source: string, variables?: Record<string, unknown>) => {
    const estimator = new CostEstimator(DEFAULT_COST_OPTIONS);
    const document = parse(source);
    return estimator.cost(estimator.estimate(schema, document, getOperationAST(document)!, source), variables);
  };

  it('sizes connection edges by the slicing argument of the connection field (the docs example)', () => {
    // users 1 + 20 edges · (edge 1 + node 1 + posts 1 + 5 edges · (edge 1 + node 1)) = 1 + 20 · 13.
    expect(cost('{ users(first: 20) { edges { node { posts(first: 5) { edges { node { id } } } } } } }')).toBe(261);
  });

  it('takes list sizes from variables at request time, and argument defaults otherwise', () => {
    const query = 'query($n: Int) { users(first: $n) { edges { cursor } } }';
    expect(cost(query, { n: 3 })).toBe(1 + 3);
    // Variable absent: the argument's default (20).
    expect(cost(query, {})).toBe(1 + 20);
    expect(cost('{ users { edges { cursor } } }')).toBe(1 + 20);
  });
});
