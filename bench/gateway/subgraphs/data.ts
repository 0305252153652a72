/**
 * The scenario's data: the shape of The Guild's federation gateway benchmark (6 users, 9 products,
 * 11 reviews, product 1 reviewed four times, every review written by user 1), with text of our own.
 */
export interface UserRow {
  readonly id: string;
  readonly name: string;
  readonly username: string;
  readonly birthday: number;
}
export interface ProductRow {
  readonly upc: string;
  readonly name: string;
  readonly price: number;
  readonly weight: number;
}
export interface ReviewRow {
  readonly id: string;
  readonly body: string;
  readonly productUpc: string;
}

export const users: readonly UserRow[] = [
  { id: '1', name: 'Ada Lindqvist', username: 'ada', birthday: 1234567890 },
  { id: '2', name: 'Bruno Okafor', username: 'bruno', birthday: 1234567890 },
  { id: '3', name: 'Chen Wei', username: 'chenwei', birthday: 1234567890 },
  { id: '4', name: 'Dora Malik', username: 'dmalik', birthday: 1234567890 },
  { id: '5', name: 'Emil Sauer', username: 'esauer', birthday: 1234567890 },
  { id: '6', name: 'Farah Nasser', username: 'farah', birthday: 1234567890 },
];

export const products: readonly ProductRow[] = [
  { upc: '1', name: 'Table', price: 899, weight: 100 },
  { upc: '2', name: 'Couch', price: 1299, weight: 1000 },
  { upc: '3', name: 'Glass', price: 15, weight: 20 },
  { upc: '4', name: 'Chair', price: 499, weight: 100 },
  { upc: '5', name: 'TV', price: 1299, weight: 1000 },
  { upc: '6', name: 'Lamp', price: 6999, weight: 300 },
  { upc: '7', name: 'Grill', price: 3999, weight: 2000 },
  { upc: '8', name: 'Fridge', price: 100000, weight: 6000 },
  { upc: '9', name: 'Sofa', price: 9999, weight: 800 },
];

export const inStock: Readonly<Record<string, boolean>> = {
  '1': true,
  '2': false,
  '3': false,
  '4': false,
  '5': true,
  '6': true,
  '7': true,
  '8': false,
  '9': true,
};

/** Deterministic prose of a given length, so responses weigh what the public scenario's do. */
function prose(seed: number, length: number): string {
  const words = [
    'sturdy',
    'arrived',
    'quickly',
    'finish',
    'would',
    'buy',
    'again',
    'the',
    'legs',
    'wobble',
    'a',
    'bit',
  ];
  const out: string[] = [];
  let size = 0;
  for (let i = seed; size < length; i += 7) {
    const word = words[i % words.length]!;
    out.push(word);
    size += word.length + 1;
  }
  return `${out.join(' ').slice(0, length - 1)}.`;
}

export const reviews: readonly ReviewRow[] = [
  { id: '1', body: prose(1, 446), productUpc: '1' },
  { id: '2', body: prose(2, 300), productUpc: '1' },
  { id: '3', body: prose(3, 279), productUpc: '1' },
  { id: '4', body: prose(4, 145), productUpc: '1' },
  { id: '5', body: prose(5, 446), productUpc: '2' },
  { id: '6', body: prose(6, 300), productUpc: '2' },
  { id: '7', body: prose(7, 279), productUpc: '2' },
  { id: '8', body: prose(8, 145), productUpc: '2' },
  { id: '9', body: prose(9, 145), productUpc: '3' },
  { id: '10', body: prose(10, 145), productUpc: '4' },
  { id: '11', body: prose(11, 870), productUpc: '4' },
];

/** Every review's author in the scenario; `User.reviews` answers the first two reviews for anyone. */
export const AUTHOR_ID = '1';
export const reviewsOfUser = (_userId: string): readonly ReviewRow[] => reviews.slice(0, 2);
export const reviewsOfProduct = (upc: string): readonly ReviewRow[] => reviews.filter((r) => r.productUpc === upc);

/** Free shipping above 1,000; otherwise half the weight (needs `price` and `weight` from products). */
export const shippingEstimate = (price: number | null | undefined, weight: number | null | undefined) =>
  price == null || weight == null ? null : price > 1000 ? 0 : Math.floor(weight / 2);

/** The deeply nested operation of the public scenario. */
export const TEST_QUERY = `fragment User on User {
  id
  username
  name
}

fragment Review on Review {
  id
  body
}

fragment Product on Product {
  inStock
  name
  price
  shippingEstimate
  upc
  weight
}

query TestQuery {
  users {
    ...User
    reviews {
      ...Review
      product {
        ...Product
        reviews {
          ...Review
          author {
            ...User
            reviews {
              ...Review
              product {
                ...Product
              }
            }
          }
        }
      }
    }
  }
  topProducts {
    ...Product
    reviews {
      ...Review
      author {
        ...User
        reviews {
          ...Review
          product {
            ...Product
          }
        }
      }
    }
  }
}`;
