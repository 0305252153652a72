import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/index.js';
import {
  AUTHOR_ID,
  inStock,
  products,
  reviews,
  reviewsOfProduct,
  reviewsOfUser,
  shippingEstimate,
  users,
  type ReviewRow,
} from './data.js';

export const SUBGRAPH_NAMES = ['accounts', 'inventory', 'products', 'reviews'] as const;
export type SubgraphName = (typeof SUBGRAPH_NAMES)[number];

const userById = new Map(users.map((u) => [u.id, u]));
const productByUpc = new Map(products.map((p) => [p.upc, p]));
const reviewById = new Map(reviews.map((r) => [r.id, r]));

export const resolvers: Record<SubgraphName, GraphQLResolverMap<unknown>> = {
  accounts: {
    Query: {
      me: () => users[0],
      user: (_: unknown, { id }: { id: string }) => userById.get(id) ?? null,
      users: () => users,
    },
    User: { __resolveReference: ({ id }: { id: string }) => userById.get(id) ?? null },
  },
  inventory: {
    Product: {
      __resolveReference: ({ upc, price, weight }: { upc: string; price?: number; weight?: number }) => ({
        upc,
        price,
        weight,
        inStock: inStock[upc] ?? null,
      }),
      shippingEstimate: ({ price, weight }: { price?: number; weight?: number }) => shippingEstimate(price, weight),
    },
  },
  products: {
    Query: { topProducts: (_: unknown, { first }: { first: number }) => products.slice(0, first) },
    Product: { __resolveReference: ({ upc }: { upc: string }) => productByUpc.get(upc) ?? null },
  },
  reviews: {
    Review: {
      __resolveReference: ({ id }: { id: string }) => reviewById.get(id) ?? null,
      product: (review: ReviewRow) => ({ upc: review.productUpc }),
      author: () => ({ id: AUTHOR_ID, username: userById.get(AUTHOR_ID)!.username }),
    },
    User: {
      __resolveReference: ({ id }: { id: string }) => ({ id }),
      reviews: ({ id }: { id: string }) => reviewsOfUser(id),
    },
    Product: {
      __resolveReference: ({ upc }: { upc: string }) => ({ upc }),
      reviews: ({ upc }: { upc: string }) => reviewsOfProduct(upc),
    },
  },
};
