import { existsSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

/** Services that run only with `--profile observability`. */
export const OBSERVABILITY_SERVICES = ['otel-collector', 'jaeger', 'prometheus', 'grafana'] as const;

/** Services the default profile must run: the whole supergraph and what it needs. */
export const CORE_SERVICES = [
  'postgres',
  'redis',
  'keycloak',
  'policy-bundles',
  'users',
  'content',
  'search',
  'moderation',
  'billing',
  'gateway',
] as const;

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Parses a compose file; `<<` merge keys (YAML anchors for shared settings) are resolved as Compose does. */
export function parseCompose(text: string): Json {
  const compose: unknown = parse(text, { merge: true });
  if (!isObject(compose)) throw new Error('docker-compose.yml is not a mapping');
  return compose;
}

/** `name:tag` or `name@sha256:…` with a tag other than `latest`. */
function isPinned(image: string): boolean {
  if (image.includes('@sha256:')) return true;
  const lastSegment = image.split('/').pop() ?? '';
  const colon = lastSegment.lastIndexOf(':');
  if (colon < 0) return false;
  const tag = lastSegment.slice(colon + 1);
  return tag !== '' && tag !== 'latest' && !tag.includes('${');
}

/** The host side of a volume entry, or undefined for anonymous volumes. */
function volumeSource(volume: unknown): string | undefined {
  if (typeof volume === 'string') {
    const parts = volume.split(':');
    return parts.length > 1 ? parts[0] : undefined;
  }
  if (isObject(volume) && typeof volume.source === 'string') return volume.source;
  return undefined;
}

/**
 * Checks a parsed compose file: every service has a healthcheck; every image not built here is
 * pinned to a tag other than latest (or a digest); bind mounts are relative (`./`), exist under
 * `baseDir`, and named volumes are declared; depends_on uses conditions; the observability
 * services are in the `observability` profile and the core services in none. Returns the problems.
 */
export function checkCompose(compose: Json, baseDir?: string): string[] {
  const problems: string[] = [];
  const services = isObject(compose.services) ? compose.services : {};
  const declaredVolumes = isObject(compose.volumes) ? Object.keys(compose.volumes) : [];
  const names = Object.keys(services);
  if (names.length === 0) problems.push('no services');
  for (const name of CORE_SERVICES) if (!names.includes(name)) problems.push(`missing service ${name}`);
  for (const name of OBSERVABILITY_SERVICES) if (!names.includes(name)) problems.push(`missing service ${name}`);

  for (const [name, raw] of Object.entries(services)) {
    const service = isObject(raw) ? raw : {};
    const where = `service ${name}`;

    const healthcheck = isObject(service.healthcheck) ? service.healthcheck : undefined;
    if (!healthcheck) problems.push(`${where}: no healthcheck`);
    else if (healthcheck.disable === true) problems.push(`${where}: healthcheck disabled`);
    else if (!Array.isArray(healthcheck.test) && typeof healthcheck.test !== 'string')
      problems.push(`${where}: healthcheck has no test`);

    if (service.build === undefined) {
      if (typeof service.image !== 'string') problems.push(`${where}: neither image nor build`);
      else if (!isPinned(service.image)) problems.push(`${where}: image ${service.image} is not pinned to a tag`);
    }

    for (const volume of Array.isArray(service.volumes) ? service.volumes : []) {
      const source = volumeSource(volume);
      if (source === undefined) continue;
      if (source.startsWith('./') || source.startsWith('../')) {
        if (baseDir && !existsSync(path.join(baseDir, source)))
          problems.push(`${where}: bind mount source ${source} does not exist`);
      } else if (/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(source)) {
        if (!declaredVolumes.includes(source)) problems.push(`${where}: volume ${source} is not declared`);
      } else {
        problems.push(`${where}: volume source ${source} is not a relative path (./…) or a named volume`);
      }
    }

    const dependsOn = service.depends_on;
    if (Array.isArray(dependsOn)) {
      problems.push(`${where}: depends_on is a list; give each dependency a condition`);
    } else if (isObject(dependsOn)) {
      for (const [dependency, spec] of Object.entries(dependsOn)) {
        const condition = isObject(spec) ? spec.condition : undefined;
        if (condition !== 'service_healthy' && condition !== 'service_completed_successfully')
          problems.push(`${where}: depends_on ${dependency} has no service_healthy condition`);
        if (!names.includes(dependency)) problems.push(`${where}: depends_on unknown service ${dependency}`);
      }
    }

    const profiles = Array.isArray(service.profiles) ? service.profiles : [];
    const observability = (OBSERVABILITY_SERVICES as readonly string[]).includes(name);
    if (observability && !profiles.includes('observability'))
      problems.push(`${where}: not in the observability profile`);
    if (!observability && profiles.length > 0)
      problems.push(`${where}: in profiles ${profiles.join(', ')}; the core stack runs without a profile`);
  }
  return problems;
}
