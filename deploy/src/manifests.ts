import { parseAllDocuments } from 'yaml';

/** The parts of a Kubernetes object the checks read; everything else stays `unknown`. */
export interface K8sObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly labels?: Record<string, string>;
    readonly annotations?: Record<string, string>;
  };
  readonly spec?: Record<string, unknown>;
  readonly data?: Record<string, string>;
}

/** What every Deployment of the chart must have, and what the checker reports when it does not. */
export const REQUIRED_SECURITY = {
  runAsNonRoot: true,
  runAsUser: 10001,
  readOnlyRootFilesystem: true,
  allowPrivilegeEscalation: false,
  seccompProfile: 'RuntimeDefault',
} as const;

const COMPONENT = 'app.kubernetes.io/component';

/** Parses `helm template` output (documents separated by `---`; empty documents skipped). */
export function parseManifests(text: string): K8sObject[] {
  return parseAllDocuments(text)
    .map((document) => {
      if (document.errors.length > 0) throw new Error(`invalid YAML in manifests: ${document.errors[0]?.message}`);
      return document.toJS() as K8sObject | null;
    })
    .filter((object): object is K8sObject => object !== null && typeof object === 'object' && 'kind' in object);
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const asObject = (value: unknown): Json => (isObject(value) ? value : {});
const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/** True when every label of `selector` is present with the same value in `labels`. */
function selects(selector: unknown, labels: Record<string, string>): boolean {
  const matchLabels = asObject(asObject(selector).matchLabels);
  const entries = Object.entries(matchLabels);
  return entries.length > 0 && entries.every(([key, value]) => labels[key] === value);
}

function podTemplate(deployment: K8sObject): { labels: Record<string, string>; spec: Json } {
  const template = asObject(deployment.spec?.template);
  return {
    labels: asObject(asObject(template.metadata).labels) as Record<string, string>,
    spec: asObject(template.spec),
  };
}

function checkContainer(where: string, container: Json, podSecurity: Json): string[] {
  const problems: string[] = [];
  const probePath = (probe: unknown) => asObject(asObject(probe).httpGet).path;
  if (!isObject(container.livenessProbe)) problems.push(`${where}: no livenessProbe`);
  else if (probePath(container.livenessProbe) !== '/health/live')
    problems.push(`${where}: livenessProbe does not GET /health/live`);
  if (!isObject(container.readinessProbe)) problems.push(`${where}: no readinessProbe`);
  else if (probePath(container.readinessProbe) !== '/health/ready')
    problems.push(`${where}: readinessProbe does not GET /health/ready`);

  const resources = asObject(container.resources);
  for (const bound of ['requests', 'limits'] as const) {
    const values = asObject(resources[bound]);
    for (const resource of ['cpu', 'memory'] as const) {
      if (values[resource] === undefined || values[resource] === null || values[resource] === '')
        problems.push(`${where}: no resources.${bound}.${resource}`);
    }
  }

  const security = asObject(container.securityContext);
  if (!isObject(container.securityContext)) problems.push(`${where}: no securityContext`);
  const effective = (key: string) => security[key] ?? podSecurity[key];
  if (effective('runAsNonRoot') !== REQUIRED_SECURITY.runAsNonRoot) problems.push(`${where}: runAsNonRoot is not true`);
  if (effective('runAsUser') !== REQUIRED_SECURITY.runAsUser)
    problems.push(`${where}: runAsUser is not ${REQUIRED_SECURITY.runAsUser}`);
  if (security.readOnlyRootFilesystem !== REQUIRED_SECURITY.readOnlyRootFilesystem)
    problems.push(`${where}: readOnlyRootFilesystem is not true`);
  if (security.allowPrivilegeEscalation !== REQUIRED_SECURITY.allowPrivilegeEscalation)
    problems.push(`${where}: allowPrivilegeEscalation is not false`);
  if (!asArray(asObject(security.capabilities).drop).includes('ALL'))
    problems.push(`${where}: capabilities do not drop ALL`);
  if (asObject(effective('seccompProfile')).type !== REQUIRED_SECURITY.seccompProfile)
    problems.push(`${where}: seccompProfile is not RuntimeDefault`);

  const mounts = asArray(container.volumeMounts).map(asObject);
  if (!mounts.some((mount) => mount.mountPath === '/tmp')) problems.push(`${where}: nothing writable mounted at /tmp`);
  return problems;
}

function checkNetworkPolicy(
  name: string,
  labels: Record<string, string>,
  policies: K8sObject[],
  gatewayLabels: Record<string, string> | undefined,
): string[] {
  const policy = policies.find((candidate) => selects(candidate.spec?.podSelector, labels));
  if (!policy) return [`Deployment ${name}: no NetworkPolicy selects its pods`];
  const problems: string[] = [];
  const where = `NetworkPolicy ${policy.metadata.name}`;
  if (!asArray(policy.spec?.policyTypes).includes('Ingress')) problems.push(`${where}: policyTypes lacks Ingress`);
  const rules = asArray(policy.spec?.ingress).map(asObject);
  let fromGateway = false;
  for (const rule of rules) {
    const peers = asArray(rule.from).map(asObject);
    if (peers.length === 0) {
      problems.push(`${where}: an ingress rule without \`from\` admits every pod`);
      continue;
    }
    for (const peer of peers) {
      if (gatewayLabels && !isObject(peer.namespaceSelector) && selects(peer.podSelector, gatewayLabels)) {
        fromGateway = true;
      } else if (
        !isObject(peer.podSelector) &&
        Object.keys(asObject(asObject(peer.namespaceSelector).matchLabels)).length > 0
      ) {
        // A named namespace (Prometheus scraping /metrics): allowed, and explicit in the values.
      } else {
        problems.push(`${where}: admits ${JSON.stringify(peer)}, which is not the gateway's pods`);
      }
    }
  }
  if (!fromGateway) problems.push(`${where}: does not admit the gateway's pods`);
  return problems;
}

/**
 * Checks rendered chart manifests: every Deployment has liveness and readiness probes, resource
 * requests and limits, the restricted security context and a writable /tmp; has an HPA and a PDB;
 * subgraphs accept ingress only from the gateway and verify policy bundles with a mounted key; the
 * gateway mounts the supergraph ConfigMap.
 * Returns the problems found (empty when all is well).
 */
export function checkManifests(objects: readonly K8sObject[]): string[] {
  const problems: string[] = [];
  const ofKind = (kind: string) => objects.filter((object) => object.kind === kind);
  const deployments = ofKind('Deployment');
  const hpas = ofKind('HorizontalPodAutoscaler');
  const pdbs = ofKind('PodDisruptionBudget');
  const policies = ofKind('NetworkPolicy');
  const configMaps = ofKind('ConfigMap');
  if (deployments.length === 0) problems.push('no Deployment rendered');

  const gateway = deployments.find((deployment) => podTemplate(deployment).labels[COMPONENT] === 'gateway');
  if (!gateway) problems.push('no gateway Deployment (label app.kubernetes.io/component=gateway)');
  const gatewayLabels = gateway ? podTemplate(gateway).labels : undefined;

  for (const deployment of deployments) {
    const name = deployment.metadata.name;
    const { labels, spec } = podTemplate(deployment);
    const podSecurity = asObject(spec.securityContext);
    if (podSecurity.runAsNonRoot !== true)
      problems.push(`Deployment ${name}: pod securityContext.runAsNonRoot is not true`);
    if (spec.automountServiceAccountToken !== false)
      problems.push(`Deployment ${name}: mounts a service account token it does not need`);
    const containers = asArray(spec.containers).map(asObject);
    if (containers.length === 0) problems.push(`Deployment ${name}: no containers`);
    for (const container of containers) {
      problems.push(
        ...checkContainer(`Deployment ${name} container ${String(container.name)}`, container, podSecurity),
      );
    }
    const tmp = asArray(spec.volumes)
      .map(asObject)
      .find((volume) => volume.name === 'tmp');
    if (!tmp || !isObject(tmp.emptyDir)) problems.push(`Deployment ${name}: /tmp is not an emptyDir`);

    const hpa = hpas.find((candidate) => {
      const target = asObject(candidate.spec?.scaleTargetRef);
      return target.kind === 'Deployment' && target.name === name;
    });
    if (!hpa) problems.push(`Deployment ${name}: no HorizontalPodAutoscaler`);
    else if (hpa.apiVersion !== 'autoscaling/v2') problems.push(`HPA ${hpa.metadata.name}: not autoscaling/v2`);
    if (!pdbs.some((pdb) => selects(pdb.spec?.selector, labels)))
      problems.push(`Deployment ${name}: no PodDisruptionBudget`);

    if (deployment !== gateway) {
      problems.push(...checkNetworkPolicy(name, labels, policies, gatewayLabels));
      problems.push(...checkPolicyKeyMount(deployment, configMaps));
    }
  }

  if (gateway) problems.push(...checkSupergraphMount(gateway, configMaps));
  return problems;
}

/** The environment a container gets from its ConfigMaps (`envFrom`). */
function configEnv(container: Json, configMaps: K8sObject[]): Record<string, string> {
  return asArray(container.envFrom)
    .map((source) => asObject(asObject(source).configMapRef).name)
    .map((mapName) => configMaps.find((configMap) => configMap.metadata.name === mapName)?.data ?? {})
    .reduce<Record<string, string>>((all, data) => ({ ...all, ...data }), {});
}

/** A subgraph loads a policy bundle and verifies it with a key file mounted read-only from a ConfigMap. */
function checkPolicyKeyMount(deployment: K8sObject, configMaps: K8sObject[]): string[] {
  const where = `Deployment ${deployment.metadata.name}`;
  const { spec } = podTemplate(deployment);
  const container = asArray(spec.containers).map(asObject)[0] ?? {};
  const env = configEnv(container, configMaps);
  if (!env.POLICY_BUNDLE) return [`${where}: no POLICY_BUNDLE`];
  const keyFile = env.POLICY_PUBLIC_KEY_FILE;
  if (!keyFile) return [`${where}: no POLICY_PUBLIC_KEY_FILE`];
  const mount = asArray(container.volumeMounts)
    .map(asObject)
    .find((candidate) => keyFile.startsWith(`${String(candidate.mountPath)}/`));
  const volume = asArray(spec.volumes)
    .map(asObject)
    .find((candidate) => candidate.name === mount?.name);
  const configMap = configMaps.find((candidate) => candidate.metadata.name === asObject(volume?.configMap).name);
  const fileName = keyFile.slice(keyFile.lastIndexOf('/') + 1);
  if (!mount || mount.readOnly !== true || !configMap?.data?.[fileName]?.includes('PUBLIC KEY'))
    return [`${where}: POLICY_PUBLIC_KEY_FILE ${keyFile} is not a public key mounted read-only from a ConfigMap`];
  return [];
}

function checkSupergraphMount(gateway: K8sObject, configMaps: K8sObject[]): string[] {
  const where = `Deployment ${gateway.metadata.name}`;
  const { spec } = podTemplate(gateway);
  const container = asArray(spec.containers).map(asObject)[0] ?? {};
  const volumes = asArray(spec.volumes).map(asObject);
  const supergraphMap = configMaps.find((configMap) => typeof configMap.data?.['supergraph.graphql'] === 'string');
  if (!supergraphMap) return ['no ConfigMap holds supergraph.graphql'];
  if (!supergraphMap.data?.['supergraph.graphql']?.includes('@join__graph'))
    return [`ConfigMap ${supergraphMap.metadata.name}: supergraph.graphql is not a supergraph`];
  const volume = volumes.find((candidate) => asObject(candidate.configMap).name === supergraphMap.metadata.name);
  if (!volume) return [`${where}: does not mount ConfigMap ${supergraphMap.metadata.name}`];
  const mount = asArray(container.volumeMounts)
    .map(asObject)
    .find((candidate) => candidate.name === volume.name);
  if (!mount) return [`${where}: volume ${String(volume.name)} is not mounted`];
  const problems: string[] = [];
  if (mount.readOnly !== true) problems.push(`${where}: the supergraph is not mounted read-only`);
  const env = configEnv(container, configMaps);
  if (env.SUPERGRAPH_PATH !== `${String(mount.mountPath)}/supergraph.graphql`)
    problems.push(`${where}: SUPERGRAPH_PATH (${env.SUPERGRAPH_PATH}) is not the mounted supergraph.graphql`);
  return problems;
}
