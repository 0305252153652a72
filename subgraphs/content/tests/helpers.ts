import { expect } from '@jest/globals';
import { uuidv7, type DomainEvent } from '@supergraph/events';
import { graphql, type TestSubgraph } from '@supergraph/testing';

export type Body<T = Record<string, unknown>> = Awaited<ReturnType<typeof graphql<T>>>['body'];

/** A GraphQL request as a realm user (`alice`, `bob`, `mod`, `admin`, …), or anonymous without one. */
export async function gql<T = Record<string, unknown>>(
  subgraph: TestSubgraph,
  username: string | undefined,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<Body<T>> {
  const headers = username ? { authorization: `Bearer ${await subgraph.token(username)}` } : undefined;
  return (await graphql<T>(subgraph.url, query, variables, headers)).body;
}

/** Like `gql`, failing the test on any error. */
export async function ok<T = Record<string, unknown>>(
  subgraph: TestSubgraph,
  username: string | undefined,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<T> {
  const body = await gql<T>(subgraph, username, query, variables);
  expect(body.errors).toBeUndefined();
  return body.data!;
}

/** An event as another subgraph's outbox relay would publish it. */
export function domainEvent(stream: string, type: string, payload: Record<string, unknown>): DomainEvent {
  return {
    id: uuidv7(),
    stream,
    type,
    aggregateId: String(payload.id ?? payload.followerId ?? payload.contentId ?? ''),
    payload,
    occurredAt: new Date().toISOString(),
  };
}

/** Rows of hand-written SQL against the subgraph's database (assertions on state the API does not show). */
export function sql<T>(subgraph: TestSubgraph, query: string, params: unknown[] = []): Promise<T[]> {
  return subgraph.server.orm.em.fork().getConnection().execute<T[]>(query, params);
}

export const CREATE_POST = `mutation($input: CreatePostInput!, $key: String) {
  createPost(input: $input, idempotencyKey: $key) { id title }
}`;

export async function createPost(subgraph: TestSubgraph, username: string, title: string, extra = {}) {
  const data = await ok<{ createPost: { id: string } }>(subgraph, username, CREATE_POST, {
    input: { title, body: `${title} body`, ...extra },
  });
  return data.createPost.id;
}

export const ADD_COMMENT = `mutation($input: AddCommentInput!, $key: String) {
  addComment(input: $input, idempotencyKey: $key) { id postId parentId body author { id } }
}`;

export async function addComment(
  subgraph: TestSubgraph,
  username: string,
  postId: string,
  body: string,
  parentId?: string,
) {
  const data = await ok<{ addComment: { id: string } }>(subgraph, username, ADD_COMMENT, {
    input: { postId, body, ...(parentId ? { parentId } : {}) },
  });
  return data.addComment.id;
}
