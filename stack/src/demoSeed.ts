/** A word that appears in the seeded posts, for the README's example query. */
export const DEMO_SEARCH_WORD = 'federation';

const DEMO = [
  {
    handle: 'ada',
    displayName: 'Ada Lovelace',
    bio: 'First programmer.',
    posts: [
      {
        title: 'Notes on the analytical engine',
        body: 'Federation of many engines into one graph.',
        tags: ['history'],
      },
      { title: 'Poetical science', body: 'Imagination is the discovering faculty.', tags: ['essay'] },
    ],
  },
  {
    handle: 'grace',
    displayName: 'Grace Hopper',
    bio: 'Compilers, COBOL, nanoseconds.',
    posts: [
      { title: 'A nanosecond of wire', body: 'Latency budgets in a federation gateway.', tags: ['performance'] },
      { title: 'Why compilers', body: 'Humans should write in words, machines in bits.', tags: ['compilers'] },
    ],
  },
  {
    handle: 'alan',
    displayName: 'Alan Turing',
    bio: null,
    posts: [{ title: 'Computable numbers', body: 'On computable numbers and the decision problem.', tags: ['math'] }],
  },
];

async function graphql<T>(url: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const result = (await response.json()) as { data?: T; errors?: { message: string }[] };
  if (result.errors?.length) throw new Error(`seed failed: ${result.errors.map((e) => e.message).join('; ')}`);
  return result.data as T;
}

/**
 * Demo users and posts of the embedded default, written through the gateway like any client, so the
 * search index fills through the real event path. Does nothing when users exist already.
 * Resolves once search has indexed the posts.
 */
export async function seedDemoData(gatewayUrl: string, timeoutMs = 10_000): Promise<{ seeded: boolean }> {
  const existing = await graphql<{ users: { edges: unknown[] } }>(
    gatewayUrl,
    '{ users(first: 1) { edges { cursor } } }',
  );
  if (existing.users.edges.length > 0) return { seeded: false };
  for (const user of DEMO) {
    const { createUser } = await graphql<{ createUser: { id: string } }>(
      gatewayUrl,
      'mutation($input: CreateUserInput!) { createUser(input: $input) { id } }',
      { input: { handle: user.handle, displayName: user.displayName, bio: user.bio } },
    );
    for (const post of user.posts) {
      await graphql(gatewayUrl, 'mutation($input: CreatePostInput!) { createPost(input: $input) { id } }', {
        input: { ...post, authorId: createUser.id, language: 'en' },
      });
    }
  }
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { search } = await graphql<{ search: { totalCount: number } }>(
      gatewayUrl,
      'query($q: String!) { search(query: $q, first: 1) { totalCount } }',
      { q: DEMO_SEARCH_WORD },
    );
    if (search.totalCount > 0) return { seeded: true };
    if (Date.now() > deadline) throw new Error('seeded posts did not reach the search index in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
