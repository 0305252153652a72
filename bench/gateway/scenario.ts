import { readFileSync } from 'node:fs';
import { composeServices } from '@apollo/composition';
import { buildSchema, execute, parse } from 'graphql';
import {
  AUTHOR_ID,
  inStock,
  products,
  reviewsOfProduct,
  reviewsOfUser,
  shippingEstimate,
  TEST_QUERY,
  users,
  type ProductRow,
  type ReviewRow,
  type UserRow,
} from './subgraphs/data.js';
import { SUBGRAPH_NAMES, type SubgraphName } from './subgraphs/resolvers.js';

/** The supergraph of the four subgraphs at the given URLs. */
export function composeSupergraph(urls: Readonly<Record<SubgraphName, string>>): string {
  const result = composeServices(
    SUBGRAPH_NAMES.map((name) => ({
      name,
      url: urls[name],
      typeDefs: parse(readFileSync(new URL(`./subgraphs/${name}.graphql`, import.meta.url), 'utf8')),
    })),
  );
  if (result.errors) throw new Error(`composition failed: ${result.errors.map((e) => e.message).join('; ')}`);
  return result.supergraphSdl;
}

/**
 * The answer every gateway must give, computed without federation: one plain schema resolving the
 * scenario's data directly. An oracle independent of any gateway or subgraph code path.
 */
export function expectedResult(): unknown {
  const schema = buildSchema(`
    type Query { users: [User] topProducts(first: Int = 5): [Product] }
    type User { id: ID! name: String username: String birthday: Int reviews: [Review] }
    type Product { upc: String! name: String price: Int weight: Int inStock: Boolean shippingEstimate: Int reviews: [Review] }
    type Review { id: ID! body: String product: Product author: User }
  `);
  const productByUpc = new Map(products.map((p) => [p.upc, p]));
  const author = users.find((u) => u.id === AUTHOR_ID)!;
  const rootValue = { users, topProducts: ({ first }: { first: number }) => products.slice(0, first) };
  const fieldResolver = (
    source: Record<string, unknown>,
    args: Record<string, unknown>,
    _c: unknown,
    info: { parentType: { name: string }; fieldName: string },
  ) => {
    const { parentType, fieldName } = info;
    if (parentType.name === 'User' && fieldName === 'reviews') return reviewsOfUser((source as unknown as UserRow).id);
    if (parentType.name === 'Product') {
      const product = source as unknown as ProductRow;
      if (fieldName === 'reviews') return reviewsOfProduct(product.upc);
      if (fieldName === 'inStock') return inStock[product.upc];
      if (fieldName === 'shippingEstimate') return shippingEstimate(product.price, product.weight);
    }
    if (parentType.name === 'Review') {
      const review = source as unknown as ReviewRow;
      if (fieldName === 'product') return productByUpc.get(review.productUpc);
      if (fieldName === 'author') return author;
    }
    const value = source[fieldName];
    return typeof value === 'function' ? (value as (a: unknown) => unknown)(args) : value;
  };
  const result = execute({ schema, document: parse(TEST_QUERY), rootValue, fieldResolver: fieldResolver as never });
  if ('then' in result || result.errors) throw new Error('the reference result failed');
  return JSON.parse(JSON.stringify(result));
}

/** Structural equality of two JSON values (key order ignored). */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
