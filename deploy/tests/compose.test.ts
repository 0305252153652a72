import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { CORE_SERVICES, OBSERVABILITY_SERVICES, checkCompose, parseCompose } from '../src/compose.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const text = readFileSync(`${ROOT}docker-compose.yml`, 'utf8');
const compose = parseCompose(text);
// Services as plain data; the checker itself is typed against `unknown`.
const services = compose.services as Record<string, Record<string, unknown>>;
const mutated = (change: (copy: Record<string, Record<string, unknown>>) => void) => {
  const copy = structuredClone(compose);
  change(copy.services as Record<string, Record<string, unknown>>);
  return checkCompose(copy, ROOT);
};

describe('docker-compose.yml', () => {
  it('passes every check', () => {
    expect(checkCompose(compose, ROOT)).toEqual([]);
  });

  it('runs the whole stack by default and observability under its profile', () => {
    const byProfile = (profile: string | undefined) =>
      Object.entries(services)
        .filter(([, service]) => (service.profiles as string[] | undefined)?.[0] === profile)
        .map(([name]) => name)
        .sort();
    expect(byProfile(undefined)).toEqual([...CORE_SERVICES].sort());
    expect(byProfile('observability')).toEqual([...OBSERVABILITY_SERVICES].sort());
  });

  it('gives every service a healthcheck', () => {
    for (const [name, service] of Object.entries(services)) {
      expect([name, service.healthcheck]).toEqual([name, expect.objectContaining({ test: expect.anything() })]);
    }
  });

  it('pins every image it does not build, and builds the six deployables from the Dockerfile', () => {
    const images = Object.fromEntries(
      Object.entries(services)
        .filter(([, service]) => service.build === undefined)
        .map(([name, service]) => [name, service.image]),
    );
    for (const image of Object.values(images)) expect(image).toMatch(/^[^:]+(:[^:]+)?:(?!latest$)[\w.-]+$/);
    expect(images.keycloak).toBe('quay.io/keycloak/keycloak:26.7.3');
    const built = Object.entries(services)
      .filter(([, service]) => service.build !== undefined)
      .map(([name, service]) => [name, (service.build as { args: { APP: string } }).args.APP]);
    expect(built.sort()).toEqual(
      ['billing', 'content', 'gateway', 'moderation', 'search', 'users'].map((name) => [name, name]),
    );
  });

  it('mounts only relative host paths, read-only where they are configuration', () => {
    const binds = Object.values(services).flatMap((service) =>
      ((service.volumes as string[] | undefined) ?? []).filter((volume) => volume.startsWith('.')),
    );
    expect(binds.length).toBeGreaterThan(0);
    for (const bind of binds) expect(bind).toMatch(/^\.\/[^:]+:\/[^:]+:ro$/);
  });

  it('waits for dependencies to be healthy', () => {
    expect(services.gateway?.depends_on).toEqual(
      Object.fromEntries(
        ['redis', 'keycloak', 'users', 'content', 'search', 'moderation', 'billing'].map((name) => [
          name,
          { condition: 'service_healthy' },
        ]),
      ),
    );
  });

  it('hardens the deployables like the Helm chart does', () => {
    for (const name of ['gateway', 'users', 'content', 'search', 'moderation', 'billing']) {
      expect([name, services[name]]).toEqual([
        name,
        expect.objectContaining({ read_only: true, tmpfs: ['/tmp'], cap_drop: ['ALL'] }),
      ]);
    }
  });

  it('resolves the shared settings of the YAML anchors (merge keys)', () => {
    // Without merge-key support the subgraphs would have no environment at all.
    const raw = parse(text) as { services: Record<string, { environment?: Record<string, unknown> }> };
    expect(raw.services.users?.environment?.DATABASE_URL).toBeUndefined();
    expect(services.users?.environment).toEqual(
      expect.objectContaining({
        PORT: '4001',
        DATABASE_URL: expect.stringMatching(/^postgres:\/\/.*@postgres:5432\//),
      }),
    );
  });
});

describe('the compose checker', () => {
  it('fails on a missing healthcheck, an unpinned image, an absolute path and a bare depends_on', () => {
    expect(
      mutated((copy) => {
        delete copy.redis?.healthcheck;
        if (copy.postgres) copy.postgres.image = 'postgres:latest';
        if (copy.prometheus) copy.prometheus.image = 'prom/prometheus';
        if (copy.keycloak) copy.keycloak.volumes = ['/home/me/realm.json:/opt/keycloak/data/import/r.json:ro'];
        if (copy.search) copy.search.depends_on = ['postgres'];
        if (copy.grafana) delete copy.grafana.profiles;
      }),
    ).toEqual([
      'service postgres: image postgres:latest is not pinned to a tag',
      'service redis: no healthcheck',
      'service keycloak: volume source /home/me/realm.json is not a relative path (./…) or a named volume',
      'service search: depends_on is a list; give each dependency a condition',
      'service prometheus: image prom/prometheus is not pinned to a tag',
      'service grafana: not in the observability profile',
    ]);
  });
});

describe('ports', () => {
  it('agree between supergraph.yaml, docker-compose.yml and the Helm values', () => {
    const supergraph = parse(readFileSync(`${ROOT}supergraph.yaml`, 'utf8')) as {
      subgraphs: Record<string, { routing_url: string }>;
    };
    const values = parse(readFileSync(`${ROOT}helm/supergraph/values.yaml`, 'utf8')) as {
      subgraphs: Record<string, { port: number }>;
    };
    for (const [name, { routing_url }] of Object.entries(supergraph.subgraphs)) {
      const port = new URL(routing_url).port;
      const environment = services[name]?.environment as Record<string, string> | undefined;
      expect([name, environment?.PORT, String(values.subgraphs[name]?.port)]).toEqual([name, port, port]);
    }
  });
});
