import { describe, expect, it } from '@jest/globals';
import { buildSchema, parse, print } from 'graphql';
import { authorizeOperation, identityFromClaims, requirementsFromSdl } from '@supergraph/auth';

const sdl = `
  directive @authenticated on FIELD_DEFINITION | OBJECT
  directive @requiresScopes(scopes: [[String!]!]!) on FIELD_DEFINITION | OBJECT
  type Query { me: User @authenticated, users: [User!]!, node: Node, secret: Secret }
  interface Node { id: ID! }
  type User implements Node { id: ID!, handle: String!, email: String @requiresScopes(scopes: [["role:admin"], ["users:email"]]) }
  type Post implements Node { id: ID!, title: String! }
  type Secret @requiresScopes(scopes: [["role:admin"]]) { value: String }
`;
const schema = buildSchema(sdl);
const requirements = requirementsFromSdl(parse(sdl));
const alice = identityFromClaims({ sub: 's-alice', azp: 'web', realm_access: { roles: ['user'] }, scope: 'profile' });
const admin = identityFromClaims({ sub: 's-admin', azp: 'web', realm_access: { roles: ['admin'] } });

describe('authorizeOperation', () => {
  it('leaves an operation the caller may fully see untouched', () => {
    expect(
      authorizeOperation(schema, parse('{ users { id email } secret { value } }'), undefined, requirements, admin),
    ).toBeUndefined();
    expect(
      authorizeOperation(schema, parse('{ users { id handle } }'), undefined, requirements, undefined),
    ).toBeUndefined();
  });

  it('replaces denied fields, reports Router-style paths with @ for list items, and nulls them in the result', () => {
    const document = parse(`
      query Q { users { id mail: email ...F } me { handle } }
      fragment F on User { handle email }
    `);
    const authorized = authorizeOperation(schema, document, 'Q', requirements, undefined)!;
    expect(authorized.denied).toEqual([['users', '@', 'mail'], ['users', '@', 'email'], ['me']]);
    expect(authorized.nothingLeft).toBe(false);
    expect(print(authorized.document)).toBe(
      'query Q {\n  users {\n    id\n    mail: __typename\n    ... on User {\n      handle\n      email: __typename\n    }\n  }\n  me: __typename\n}',
    );
    const data: Record<string, unknown> = {
      users: [{ id: '1', mail: 'User', handle: 'a', email: 'User' }],
      me: 'Query',
    };
    authorized.nullDenied(data);
    expect(data).toEqual({ users: [{ id: '1', mail: null, handle: 'a', email: null }], me: null });
  });

  it('applies type-level requirements to every field returning the type, and scope alternatives', () => {
    const withScope = identityFromClaims({ sub: 's', azp: 'partner', scope: 'users:email' });
    expect(
      authorizeOperation(schema, parse('{ users { email } }'), undefined, requirements, withScope),
    ).toBeUndefined();
    const denied = authorizeOperation(
      schema,
      parse('{ secret { value } users { id } }'),
      undefined,
      requirements,
      withScope,
    )!;
    expect(denied.denied).toEqual([['secret']]);
  });

  it('knows the runtime type behind an interface, and rejects an operation with nothing left', () => {
    const authorized = authorizeOperation(
      schema,
      parse('{ node { id ... on User { email } ... on Post { title } } }'),
      undefined,
      requirements,
      alice,
    )!;
    const data: Record<string, unknown> = { node: { id: '1', title: 'T', __sg_typename: 'Post' } };
    authorized.nullDenied(data);
    expect(data).toEqual({ node: { id: '1', title: 'T' } });
    const user: Record<string, unknown> = { node: { id: '2', email: 'User', __sg_typename: 'User' } };
    authorized.nullDenied(user);
    expect(user).toEqual({ node: { id: '2', email: null } });
    expect(
      authorizeOperation(schema, parse('{ me { id } secret { value } }'), undefined, requirements, undefined)!
        .nothingLeft,
    ).toBe(true);
  });
});
