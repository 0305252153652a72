import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createLogger } from '@supergraph/logger';
import { startBundleServer, type BundleServer } from '@supergraph/local-infra';
import { BundlePoller, PolicyEngine, readTarGz, type PolicyInput } from '@supergraph/policy';
import { Writable } from 'node:stream';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const committed = readFileSync(path.join(root, 'policies/bundles/supergraph.tar.gz'));
const publicKeyPem = readFileSync(path.join(root, 'policies/keys/dev-bundle-signing.pub.pem'), 'utf8');
const lines: Record<string, unknown>[] = [];
const logger = createLogger({
  service: 'test',
  level: 'info',
  destination: new Writable({
    write(chunk: Buffer, _e, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean))
        lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  }),
});

const profileInput = (sub: string | null, roles: string[], target: string): PolicyInput => ({
  subject: { sub, userId: sub, roles, scopes: [], clientId: 'supergraph-web', plan: null },
  operation: { type: 'mutation', name: 'Edit' },
  field: { parentType: 'Mutation', name: 'updateProfile', path: ['updateProfile'] },
  arguments: {},
  resource: { id: target },
});

/** Rewrites one file inside a bundle, keeping everything else (including the now-stale signature). */
function tamper(archive: Buffer, file: string, content: string): Buffer {
  const files = readTarGz(archive);
  files.set(file, Buffer.from(content));
  const blocks: Buffer[] = [];
  for (const [name, body] of files) {
    const header = Buffer.alloc(512);
    header.write(name, 0, 100);
    header.write('0000644\0', 100);
    header.write('0000000\0', 108);
    header.write('0000000\0', 116);
    header.write(`${body.length.toString(8).padStart(11, '0')}\0`, 124);
    header.write('00000000000\0', 136);
    header.write('0', 156);
    header.write('ustar\0' + '00', 257);
    header.fill(' ', 148, 156);
    let sum = 0;
    for (const byte of header) sum += byte;
    header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
    blocks.push(header, body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}

describe('PolicyEngine', () => {
  it('loads the committed signed bundle and decides with {allow, reason}, logging every decision', async () => {
    const engine = new PolicyEngine({ logger, signature: { publicKeyPem } });
    const loaded = await engine.loadBundle(committed);
    expect(loaded.entrypoints).toContain('supergraph/users/profile/decision');
    expect(engine.decide('supergraph/users/profile/decision', profileInput('u1', ['user'], 'u1'))).toMatchObject({
      allow: true,
      reason: 'owner',
      revision: loaded.revision,
    });
    expect(engine.decide('supergraph/users/profile/decision', profileInput('u1', ['user'], 'u2'))).toMatchObject({
      allow: false,
      reason: 'not the owner',
    });
    expect(engine.decide('supergraph/users/profile/decision', profileInput('a1', ['admin'], 'u2'))).toMatchObject({
      allow: true,
      reason: 'admin',
    });
    const logged = lines.filter((line) => line.msg === 'policy decision').at(-1)!;
    expect(logged).toMatchObject({
      revision: loaded.revision,
      path: 'supergraph/users/profile/decision',
      subject: 'a1',
      allow: true,
      reason: 'admin',
      field: 'Mutation.updateProfile',
    });
    expect(Object.keys(logged).sort()).toEqual(
      [
        'allow',
        'clientId',
        'component',
        'decisionId',
        'durationMs',
        'field',
        'level',
        'msg',
        'path',
        'reason',
        'revision',
        'service',
        'subject',
        'time',
      ].sort(),
    );
  });

  it('denies without a bundle, for an unknown entrypoint, and for an undefined decision', async () => {
    const empty = new PolicyEngine({ logger, signature: { publicKeyPem } });
    expect(empty.decide('supergraph/users/profile/decision', profileInput('u1', [], 'u1'))).toMatchObject({
      allow: false,
      reason: 'no policy bundle loaded',
      revision: 'none',
    });
    const engine = new PolicyEngine({ logger, signature: { publicKeyPem } });
    await engine.loadBundle(committed);
    expect(engine.decide('supergraph/nope', profileInput('u1', [], 'u1'))).toMatchObject({
      allow: false,
      reason: 'unknown policy supergraph/nope',
    });
  });

  it('refuses unsigned, tampered and foreign-signed bundles, keeping the current one', async () => {
    const engine = new PolicyEngine({ logger, signature: { publicKeyPem } });
    const { revision } = await engine.loadBundle(committed);
    await expect(
      engine.loadBundle(tamper(committed, '/data.json', '{"supergraph":{"partner":{"field_scopes":{}}}}')),
    ).rejects.toThrow('/data.json: digest mismatch');
    const unsigned = tamper(committed, '/.signatures.json', '{"signatures":[]}');
    await expect(engine.loadBundle(unsigned)).rejects.toThrow('.signatures.json must hold exactly one JWT');
    const { privateKey } = await import('node:crypto').then((c) =>
      c.generateKeyPairSync('rsa', { modulusLength: 2048 }),
    );
    const foreignPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const dir = mkdtempSync(path.join(tmpdir(), 'foreign-key-'));
    try {
      writeFileSync(path.join(dir, 'key.pem'), foreignPem);
      const other = new PolicyEngine({
        logger,
        signature: {
          publicKeyPem: execFileSync('openssl', ['pkey', '-in', path.join(dir, 'key.pem'), '-pubout'], {
            encoding: 'utf8',
          }),
        },
      });
      await expect(other.loadBundle(committed)).rejects.toThrow('bundle signature invalid');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(engine.revision).toBe(revision);
    expect(engine.stats.bundlesRejected).toBe(2);
  });
});

describe('BundlePoller over HTTP', () => {
  let dir: string;
  let server: BundleServer;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'bundles-'));
    writeFileSync(path.join(dir, 'supergraph.tar.gz'), committed);
    server = await startBundleServer({ dir });
  });
  afterAll(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('loads, answers 304 for an unchanged bundle, keeps the last good bundle on a bad download', async () => {
    const engine = new PolicyEngine({ logger, signature: { publicKeyPem } });
    const poller = new BundlePoller({ engine, logger, location: `${server.url}/supergraph.tar.gz` });
    expect(await poller.poll()).toBe(true);
    const revision = engine.revision;
    expect(await poller.poll()).toBe(false); // 304 Not Modified
    writeFileSync(path.join(dir, 'supergraph.tar.gz'), tamper(committed, '/data.json', '{}'));
    expect(await poller.poll()).toBe(false);
    expect(engine.revision).toBe(revision);
    expect(lines.some((line) => line.msg === 'policy bundle rejected; keeping the current bundle')).toBe(true);
    const missing = new BundlePoller({ engine, logger, location: `${server.url}/missing.tar.gz` });
    expect(await missing.poll()).toBe(false);
    expect(missing.downloadFailures).toBe(1);
    expect(engine.ready).toBe(true);
  });
});
