/** A word that appears in the seeded posts, for the README's example query. */
export const DEMO_SEARCH_WORD = 'federation';

/** Realm users (keycloak/realms/supergraph.json) with their default development passwords. */
const DEMO = [
  {
    username: 'alice',
    password: 'user-password',
    bio: 'Writes about engines.',
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
    username: 'bob',
    password: 'user-password',
    bio: 'Compilers, nanoseconds.',
    posts: [
      { title: 'A nanosecond of wire', body: 'Latency budgets in a federation gateway.', tags: ['performance'] },
      { title: 'Why compilers', body: 'Humans should write in words, machines in bits.', tags: ['compilers'] },
    ],
  },
  {
    username: 'mod',
    password: 'moderator-password',
    bio: null,
    posts: [{ title: 'Computable numbers', body: 'On computable numbers and the decision problem.', tags: ['math'] }],
  },
];

async function graphql<T>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
): Promise<T> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const result = (await response.json()) as { data?: T; errors?: { message: string }[] };
  if (result.errors?.length) throw new Error(`seed failed: ${result.errors.map((e) => e.message).join('; ')}`);
  return result.data as T;
}

/** A password-grant access token from the issuer's token endpoint, as the web client gets one. */
export async function passwordToken(
  tokenUrl: string,
  username: string,
  password: string,
  clientId = 'supergraph-web',
): Promise<string> {
  const response = await fetch(tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'password', client_id: clientId, username, password }),
  });
  const body = (await response.json()) as { access_token?: string; error_description?: string };
  if (!body.access_token) throw new Error(`login as ${username} failed: ${body.error_description ?? response.status}`);
  return body.access_token;
}

/**
 * Demo profiles and posts of the embedded default: each realm user signs in at the issuer and writes
 * through the gateway like any client, so profiles come from `me` and the search index fills through
 * the real event path. Does nothing when users exist already. Resolves once search has the posts.
 */
export async function seedDemoData(
  gatewayUrl: string,
  tokenUrl: string,
  timeoutMs = 10_000,
): Promise<{ seeded: boolean }> {
  const existing = await graphql<{ users: { edges: unknown[] } }>(
    gatewayUrl,
    '{ users(first: 1) { edges { cursor } } }',
  );
  if (existing.users.edges.length > 0) return { seeded: false };
  for (const user of DEMO) {
    const token = await passwordToken(tokenUrl, user.username, user.password);
    await graphql(
      gatewayUrl,
      'mutation($bio: String) { updateProfile(input: { bio: $bio }) { id } }',
      { bio: user.bio },
      token,
    );
    for (const post of user.posts) {
      await graphql(
        gatewayUrl,
        'mutation($input: CreatePostInput!) { createPost(input: $input) { id } }',
        { input: { ...post, language: 'en' } },
        token,
      );
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
