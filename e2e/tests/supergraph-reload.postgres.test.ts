import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { REPO_ROOT, startStack, type Stack } from '@supergraph/stack';
import { eventually, graphql, testDatabase, testLogger, type TestDatabase } from '@supergraph/testing';

const log = testLogger();
let db: TestDatabase;
let stack: Stack;
let dir: string;
let file: string;

beforeAll(async () => {
  db = await testDatabase();
  dir = mkdtempSync(path.join(tmpdir(), 'supergraph-reload-'));
  file = path.join(dir, 'supergraph.graphql');
  copyFileSync(path.join(REPO_ROOT, 'supergraph.graphql'), file);
  stack = await startStack({
    logger: log.logger,
    databaseUrl: db.serverUrl,
    databaseName: db.name,
    supergraphPath: file,
    gatewayPort: 0,
  });
});

afterAll(async () => {
  await stack?.stop();
  await db?.drop();
  rmSync(dir, { recursive: true, force: true });
});

const PLANS = '{ plans { code } }';

function supergraphWithout(excluded: string): string {
  const names = ['users', 'content', 'search', 'moderation', 'billing'].filter((name) => name !== excluded);
  const result = composeServices(
    names.map((name) => ({
      name,
      url: `http://localhost/${name}`,
      typeDefs: parse(readFileSync(path.join(REPO_ROOT, 'subgraphs', name, 'schema.graphql'), 'utf8')),
    })),
  );
  if (result.errors) throw result.errors[0];
  return result.supergraphSdl;
}

describe('supergraph file reload', () => {
  it('keeps serving the current supergraph when the file turns invalid, and says why', async () => {
    expect((await graphql(stack.gatewayUrl, PLANS)).body).toEqual({
      data: { plans: [{ code: 'FREE' }, { code: 'PRO' }] },
    });
    writeFileSync(file, 'this is not a supergraph');
    await eventually(async () =>
      expect(log.lines().some((line) => line.msg === 'supergraph file rejected; keeping the current supergraph')).toBe(
        true,
      ),
    );
    expect((await graphql(stack.gatewayUrl, PLANS)).body).toEqual({
      data: { plans: [{ code: 'FREE' }, { code: 'PRO' }] },
    });
    const ready = await fetch(stack.gatewayUrl.replace(/\/graphql$/, '/health/ready'));
    expect(ready.status).toBe(200);
  });

  it('switches to a new valid supergraph without a restart', async () => {
    writeFileSync(file, supergraphWithout('billing'));
    await eventually(async () => {
      const { body } = await graphql(stack.gatewayUrl, PLANS);
      expect(body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    });
    writeFileSync(file, readFileSync(path.join(REPO_ROOT, 'supergraph.graphql'), 'utf8'));
    await eventually(async () =>
      expect((await graphql(stack.gatewayUrl, PLANS)).body).toEqual({
        data: { plans: [{ code: 'FREE' }, { code: 'PRO' }] },
      }),
    );
  });
});

describe('a subgraph that is down', () => {
  it('is reported as DOWNSTREAM_SERVICE_ERROR naming it, not as a crash', async () => {
    const token = await stack.devIssuer!.mintToken('alice');
    await graphql(stack.gatewayUrl, '{ me { id } }', {}, { authorization: `Bearer ${token}` });
    await stack.subgraphs.billing.stop();
    const { status, body } = await graphql(
      stack.gatewayUrl,
      '{ users(first: 1) { edges { node { handle subscription { plan } } } } }',
    );
    expect(status).toBe(200);
    expect(body).toEqual({
      data: null,
      errors: [
        {
          // @apollo/gateway gives failed fetches no path; the edge work (issue 11) adds paths and partial data.
          message: 'The billing service failed',
          extensions: { code: 'DOWNSTREAM_SERVICE_ERROR', serviceName: 'billing' },
        },
      ],
    });
  });
});
