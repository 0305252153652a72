import { describe, expect, it } from '@jest/globals';
import { composeServices } from '@apollo/composition';
import { operationFromDocument, Supergraph } from '@apollo/federation-internals';
import { parse, type GraphQLError } from 'graphql';
import { computeResponse, gatewayResultShaping, installFastResultShaping } from '../src/perf/resultShaping.js';

// A supergraph with what result shaping must handle: interfaces and unions (fragments, __typename),
// non-null fields (null propagation), lists, enums and custom scalars (leaf validation).
const supergraph = (() => {
  const result = composeServices([
    {
      name: 'catalog',
      url: 'http://catalog',
      typeDefs: parse(`
        extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
        scalar JSON
        enum Kind { BOOK FILM }
        interface Item { id: ID! title: String! }
        type Book implements Item @key(fields: "id") { id: ID! title: String! pages: Int kind: Kind meta: JSON }
        type Film implements Item @key(fields: "id") { id: ID! title: String! minutes: Int! }
        union Hit = Book | Film
        type Query { items: [Item!]! hits: [Hit] item(id: ID!): Item book: Book! }
      `),
    },
  ]);
  if (result.errors) throw result.errors[0];
  return Supergraph.build(result.supergraphSdl).apiSchema();
})();

const original = gatewayResultShaping().computeResponse;

function both(query: string, input: Record<string, unknown> | null, variables: Record<string, unknown> = {}) {
  const args = () => ({
    operation: operationFromDocument(supergraph, parse(query), { validate: false }),
    variables,
    input: structuredClone(input),
    introspectionHandling: () => ({ introspected: true }),
  });
  const plain = (r: { data: unknown; errors: GraphQLError[] }) => ({
    data: JSON.parse(JSON.stringify(r.data)) as unknown,
    errors: r.errors.map((e) => ({ message: e.message, path: e.path, code: e.extensions.code })),
  });
  return { fast: plain(computeResponse(args())), stock: plain(original(args() as never)) };
}

describe('fast result shaping (drop-in for @apollo/gateway computeResponse)', () => {
  it('replaces the function @apollo/gateway’s executor calls, once', () => {
    installFastResultShaping();
    installFastResultShaping();
    expect(gatewayResultShaping().computeResponse).toBe(computeResponse);
    expect(original).not.toBe(computeResponse);
  });

  it('shapes aliases, fragments on interfaces and unions, __typename and enums like the original', () => {
    const query = `query Q {
      all: items { __typename id ... on Book { pages kind name: title } ... on Film { minutes } }
      hits { ... on Item { id } ... on Book { kind meta } t: __typename }
      __typename
    }`;
    const input = {
      all: [
        { __typename: 'Book', id: '1', pages: 10, kind: 'BOOK', name: 'A', extra: 'dropped' },
        { __typename: 'Film', id: '2', minutes: 90, title: 'B' },
      ],
      hits: [
        { __typename: 'Book', id: '1', kind: 'BOOK', meta: { any: ['json'] }, t: 'Book' },
        null,
        { __typename: 'Film', id: '2' },
      ],
    };
    const { fast, stock } = both(query, input);
    expect(fast).toEqual(stock);
    expect(fast.errors).toEqual([]);
    expect(fast.data).toMatchObject({ all: [{ __typename: 'Book', name: 'A' }, { minutes: 90 }], __typename: 'Query' });
  });

  it('propagates nulls through non-null fields and list items with the same errors and paths', () => {
    const query = `{ items { id title } book { id title pages } }`;
    const { fast, stock } = both(query, {
      items: [{ __typename: 'Book', id: '1', title: null }],
      book: { __typename: 'Book', id: '2', title: 'ok', pages: 'not an int' },
    });
    expect(fast).toEqual(stock);
    expect(fast.data).toBeNull();
    // `items` nulls the whole response, so the walk stops there.
    expect(fast.errors.map((e) => e.path)).toEqual([['items', 0, 'title']]);
    const book = both(`{ book { id pages } }`, { book: { __typename: 'Book', id: '2', pages: 'not an int' } });
    expect(book.fast).toEqual(book.stock);
    expect(book.fast.data).toEqual({ book: { id: '2', pages: null } });
  });

  it('reports invalid enum values and unknown __typenames like the original', () => {
    const query = `{ hits { ... on Book { kind } } item(id: "1") { id } }`;
    const { fast, stock } = both(query, {
      hits: [{ __typename: 'Book', kind: 'VINYL' }],
      item: { __typename: 'Vinyl', id: '1' },
    });
    expect(fast).toEqual(stock);
    expect(fast.errors).toHaveLength(2);
  });

  it('decides @skip and @include from the variables', () => {
    const query = `query Q($yes: Boolean!, $no: Boolean!) {
      book { id @include(if: $yes) title @skip(if: $yes) pages @include(if: $no) kind @skip(if: false) }
    }`;
    const input = { book: { __typename: 'Book', id: '1', title: 't', pages: 3, kind: 'BOOK' } };
    const { fast, stock } = both(query, input, { yes: true, no: false });
    expect(fast).toEqual(stock);
    expect(fast.data).toEqual({ book: { id: '1', kind: 'BOOK' } });
  });

  it('leaves a missing result alone and answers introspection fields through the handler', () => {
    expect(both('{ book { id } }', null)).toEqual({
      fast: { data: null, errors: [] },
      stock: { data: null, errors: [] },
    });
    const { fast, stock } = both('{ __schema { queryType { name } } book { id } }', {
      book: { __typename: 'Book', id: '1' },
    });
    expect(fast).toEqual(stock);
    expect(fast.data).toEqual({ __schema: { introspected: true }, book: { id: '1' } });
  });
});
