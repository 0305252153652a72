import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { checkManifests, parseManifests, type K8sObject } from '../src/manifests.js';
import { valueKeys } from '../src/valuesDocs.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CHART = 'helm/supergraph';
const DEPLOYABLES = ['gateway', 'users', 'content', 'search', 'moderation', 'billing'];
/** What a release passes with --set-file; any PEM renders (production refuses the development key at start-up). */
const FILES = [
  '--set-file',
  'supergraph=supergraph.graphql',
  '--set-file',
  'policy.publicKey=policies/keys/dev-bundle-signing.pub.pem',
];

/** `helm template` through scripts/helm.sh (the pinned Helm, built on first use). */
async function render(valuesFile: string, ...extra: string[]): Promise<K8sObject[]> {
  const { stdout } = await run(
    'bash',
    [
      'scripts/helm.sh',
      'template',
      'sg',
      CHART,
      '--namespace',
      'supergraph',
      '-f',
      `${CHART}/${valuesFile}`,
      ...FILES,
      ...extra,
    ],
    { cwd: ROOT, maxBuffer: 32 * 1024 * 1024 },
  );
  return parseManifests(stdout);
}

const component = (object: K8sObject) => object.metadata.labels?.['app.kubernetes.io/component'];
const named = (objects: K8sObject[], kind: string) =>
  objects
    .filter((object) => object.kind === kind)
    .map(component)
    .sort();
/** A deep copy of the rendered objects, to break one property and see the checker notice. */
const clone = (objects: K8sObject[]): K8sObject[] => structuredClone(objects);
// Rendered manifests are plain data: the tests reach into them without a type per Kubernetes kind.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;
const find = (objects: K8sObject[], kind: string, name: string): Loose =>
  objects.find((object) => object.kind === kind && component(object) === name);
const firstContainer = (objects: K8sObject[], name: string): Loose =>
  find(objects, 'Deployment', name).spec.template.spec.containers[0];

describe('helm chart', () => {
  const rendered: Record<string, K8sObject[]> = {};

  beforeAll(async () => {
    // The first run on a machine builds Helm from source (about two minutes).
    await run('bash', ['scripts/helm.sh', 'version'], { cwd: ROOT });
    rendered.production = await render('values-production.yaml');
    rendered.development = await render('values-development.yaml');
  }, 600_000);

  it('lints with the production and the development values', async () => {
    for (const values of ['values-production.yaml', 'values-development.yaml']) {
      const { stdout } = await run(
        'bash',
        ['scripts/helm.sh', 'lint', '--strict', CHART, '-f', `${CHART}/${values}`, ...FILES],
        { cwd: ROOT },
      );
      expect(stdout).toContain('0 chart(s) failed');
    }
  });

  it.each(['production', 'development'])('renders, with %s values, manifests that pass every check', (env) => {
    const objects = rendered[env] ?? [];
    expect(checkManifests(objects)).toEqual([]);
    expect(named(objects, 'Deployment')).toEqual([...DEPLOYABLES].sort());
    expect(named(objects, 'Service')).toEqual([...DEPLOYABLES].sort());
    expect(named(objects, 'HorizontalPodAutoscaler')).toEqual([...DEPLOYABLES].sort());
    expect(named(objects, 'PodDisruptionBudget')).toEqual([...DEPLOYABLES].sort());
    expect(named(objects, 'NetworkPolicy')).toEqual([...DEPLOYABLES].sort());
  });

  it('serves the supergraph with routing URLs of the in-cluster Services', () => {
    const objects = rendered.production ?? [];
    const configMap = objects.find((object) => object.kind === 'ConfigMap' && object.data?.['supergraph.graphql']);
    const sdl = configMap?.data?.['supergraph.graphql'] ?? '';
    expect(sdl.match(/@join__graph\(name: "[a-z]+", url: "[^"]+"\)/g)).toEqual([
      '@join__graph(name: "billing", url: "http://sg-supergraph-billing:4005/graphql")',
      '@join__graph(name: "content", url: "http://sg-supergraph-content:4002/graphql")',
      '@join__graph(name: "moderation", url: "http://sg-supergraph-moderation:4004/graphql")',
      '@join__graph(name: "search", url: "http://sg-supergraph-search:4003/graphql")',
      '@join__graph(name: "users", url: "http://sg-supergraph-users:4001/graphql")',
    ]);
    // The gateway rolls when the supergraph changes: a ConfigMap update alone is not seen by its watcher.
    const gateway = find(objects, 'Deployment', 'gateway');
    expect(gateway.spec.template.metadata.annotations['checksum/supergraph']).toMatch(/^[0-9a-f]{64}$/);
  });

  it('reads secrets from the existing Secret in production and creates none', () => {
    const objects = rendered.production ?? [];
    expect(objects.filter((object) => object.kind === 'Secret')).toEqual([]);
    expect(firstContainer(objects, 'users').env).toEqual([
      { name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: 'supergraph-secrets', key: 'DATABASE_URL' } } },
      {
        name: 'KEYCLOAK_ADMIN_CLIENT_SECRET',
        valueFrom: { secretKeyRef: { name: 'supergraph-secrets', key: 'KEYCLOAK_ADMIN_CLIENT_SECRET' } },
      },
      { name: 'REDIS_URL', valueFrom: { secretKeyRef: { name: 'supergraph-secrets', key: 'REDIS_URL' } } },
    ]);
    const developmentSecrets = (rendered.development ?? []).filter((object) => object.kind === 'Secret');
    expect(developmentSecrets.map((secret) => secret.metadata.name)).toEqual(['sg-supergraph-dev']);
  });

  it('routes payment webhooks to billing, with Stripe keys from the Secret, and admits only the Ingress controller', () => {
    const objects = rendered.production ?? [];
    const paths = find(objects, 'Ingress', 'gateway').spec.rules[0].http.paths;
    expect(paths.map((p: Loose) => [p.path, p.pathType, p.backend.service.name])).toEqual([
      ['/webhooks/payments', 'Exact', 'sg-supergraph-billing'],
      ['/', 'Prefix', 'sg-supergraph-gateway'],
    ]);
    expect(firstContainer(objects, 'billing').env.map((e: Loose) => e.name)).toEqual([
      'DATABASE_URL',
      'REDIS_URL',
      'STRIPE_SECRET_KEY',
      'STRIPE_WEBHOOK_SECRET',
    ]);
    const billingIngress = find(objects, 'NetworkPolicy', 'billing').spec.ingress.map((rule: Loose) => rule.from);
    expect(billingIngress).toContainEqual(
      expect.arrayContaining([
        { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } },
      ]),
    );
    // Other subgraphs still admit only the gateway (and metrics).
    const contentFrom = find(objects, 'NetworkPolicy', 'content').spec.ingress.flatMap((rule: Loose) => rule.from);
    expect(JSON.stringify(contentFrom)).not.toContain('ingress-nginx');
  });

  it('has a helm test hook that asks the gateway for /health/ready', () => {
    const pod = (rendered.production ?? []).find((object) => object.kind === 'Pod');
    expect(pod?.metadata.annotations?.['helm.sh/hook']).toBe('test');
    expect(JSON.stringify(pod?.spec)).toContain('http://sg-supergraph-gateway:4000/health/ready');
  });

  it('renders the ServiceMonitor only when enabled', async () => {
    expect(named(rendered.production ?? [], 'ServiceMonitor')).toEqual([]);
    const objects = await render('values-production.yaml', '--set', 'serviceMonitor.enabled=true');
    const monitor = objects.find((object) => object.kind === 'ServiceMonitor');
    expect(monitor?.spec?.endpoints).toEqual([expect.objectContaining({ port: 'http', path: '/metrics' })]);
  });

  it('refuses to render without the supergraph, the issuer, a Secret, the signing key or a bundle', async () => {
    const attempt = (...args: string[]) =>
      run('bash', ['scripts/helm.sh', 'template', 'sg', CHART, '-f', `${CHART}/values-production.yaml`, ...args], {
        cwd: ROOT,
      });
    const only = (file: string) => ['--set-file', file];
    await expect(attempt(...only('policy.publicKey=policies/keys/dev-bundle-signing.pub.pem'))).rejects.toThrow(
      /supergraph is required/,
    );
    await expect(attempt(...only('supergraph=supergraph.graphql'))).rejects.toThrow(/policy.publicKey is required/);
    await expect(attempt(...FILES, '--set', 'oidc.issuer=')).rejects.toThrow(/oidc.issuer is required/);
    await expect(attempt(...FILES, '--set', 'existingSecret=')).rejects.toThrow(/existingSecret is required/);
    await expect(attempt(...FILES, '--set', 'policy.bundleUrl=')).rejects.toThrow(/policy.bundleUrl .* is required/);
  });

  it('documents every key of values.yaml', () => {
    const keys = valueKeys(readFileSync(`${ROOT}/${CHART}/values.yaml`, 'utf8'));
    expect(keys.length).toBeGreaterThan(100);
    expect(keys.filter((key) => !key.description).map((key) => key.path)).toEqual([]);
  });

  it('lists every value in helm/README.md', () => {
    const readme = readFileSync(`${ROOT}/helm/README.md`, 'utf8');
    const keys = valueKeys(readFileSync(`${ROOT}/${CHART}/values.yaml`, 'utf8'));
    // The README describes the five subgraphs once, as `subgraphs.<name>.…`.
    const documented = (path: string) =>
      readme.includes(`\`${path}\``) ||
      readme.includes(`\`${path.replace(/^subgraphs\.[a-z]+/, 'subgraphs.<name>')}\``);
    expect(keys.filter((key) => !key.isMap && !documented(key.path)).map((key) => key.path)).toEqual([]);
  });
});

describe('the manifest checker', () => {
  let production: K8sObject[] = [];
  beforeAll(async () => {
    production = await render('values-production.yaml');
  }, 600_000);

  it('fails when a probe is removed', () => {
    const objects = clone(production);
    delete firstContainer(objects, 'search').livenessProbe;
    delete firstContainer(objects, 'gateway').readinessProbe;
    expect(checkManifests(objects)).toEqual([
      'Deployment sg-supergraph-gateway container gateway: no readinessProbe',
      'Deployment sg-supergraph-search container search: no livenessProbe',
    ]);
  });

  it('fails when a resource limit is removed', () => {
    const objects = clone(production);
    delete firstContainer(objects, 'users').resources.limits.memory;
    delete firstContainer(objects, 'billing').resources.limits;
    expect(checkManifests(objects)).toEqual([
      'Deployment sg-supergraph-billing container billing: no resources.limits.cpu',
      'Deployment sg-supergraph-billing container billing: no resources.limits.memory',
      'Deployment sg-supergraph-users container users: no resources.limits.memory',
    ]);
  });

  it('fails when the security context is removed or weakened', () => {
    const objects = clone(production);
    delete firstContainer(objects, 'content').securityContext;
    firstContainer(objects, 'moderation').securityContext.readOnlyRootFilesystem = false;
    expect(checkManifests(objects)).toEqual([
      'Deployment sg-supergraph-content container content: no securityContext',
      'Deployment sg-supergraph-content container content: readOnlyRootFilesystem is not true',
      'Deployment sg-supergraph-content container content: allowPrivilegeEscalation is not false',
      'Deployment sg-supergraph-content container content: capabilities do not drop ALL',
      'Deployment sg-supergraph-moderation container moderation: readOnlyRootFilesystem is not true',
    ]);
  });

  it('fails when a subgraph admits traffic from anywhere', () => {
    const objects = clone(production);
    find(objects, 'NetworkPolicy', 'users').spec.ingress = [{ ports: [{ port: 'http' }] }];
    expect(checkManifests(objects)).toEqual([
      'NetworkPolicy sg-supergraph-users: an ingress rule without `from` admits every pod',
      "NetworkPolicy sg-supergraph-users: does not admit the gateway's pods",
    ]);
  });

  it('fails when the chart renders without probes, limits or security context', async () => {
    const broken = await render(
      'values-production.yaml',
      '--set',
      'defaults.livenessProbe=null',
      '--set',
      'defaults.resources.limits=null',
      '--set',
      'gateway.resources.limits=null',
      '--set',
      'defaults.securityContext=null',
      '--set',
      'subgraphs.users.autoscaling.enabled=false',
      '--set',
      'subgraphs.search.podDisruptionBudget.enabled=false',
    );
    const problems = checkManifests(broken);
    for (const name of DEPLOYABLES) {
      const where = `Deployment sg-supergraph-${name} container ${name}`;
      expect(problems).toEqual(
        expect.arrayContaining([
          `${where}: no livenessProbe`,
          `${where}: no resources.limits.cpu`,
          `${where}: no securityContext`,
          `${where}: readOnlyRootFilesystem is not true`,
        ]),
      );
    }
    expect(problems).toEqual(
      expect.arrayContaining([
        'Deployment sg-supergraph-users: no HorizontalPodAutoscaler',
        'Deployment sg-supergraph-search: no PodDisruptionBudget',
      ]),
    );
  });
});
