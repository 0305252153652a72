import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const read = (file: string) => readFileSync(`${ROOT}${file}`, 'utf8');

interface Rule {
  readonly alert?: string;
  readonly record?: string;
  readonly expr: string;
  readonly annotations?: Record<string, string>;
}
const groups = (parse(read('deploy/prometheus/alerts.yml')) as { groups: { rules: Rule[] }[] }).groups;
const rules = groups.flatMap((group) => group.rules);
const alerts = rules.filter((rule) => rule.alert);
const recorded = rules.flatMap((rule) => (rule.record ? [rule.record] : []));
const operations = read('docs/operations.md');

/** The series documented in docs/operations.md ("to be exposed by /metrics"). */
const SERIES = [
  'http_requests_total',
  'http_request_duration_seconds_bucket',
  'supergraph_stream_consumer_lag',
  'up',
  'kube_pod_container_status_restarts_total',
];

/** Metric names in a PromQL expression: names with a selector or range, and recorded (colon) names. */
const seriesIn = (expr: string) =>
  [...expr.matchAll(/\b([a-zA-Z_][a-zA-Z0-9_]*)\s*(?=[{[])|\b([a-z_]+:[a-z0-9_:]+)/g)].map(
    (match) => match[1] ?? match[2],
  );

/** GitHub's anchor of a Markdown heading. */
const slug = (heading: string) =>
  heading
    .toLowerCase()
    .replace(/[^a-z0-9 -]/g, '')
    .replace(/ /g, '-');

describe('alert rules', () => {
  it('cover the SLOs and failure modes the operations issue names', () => {
    expect(alerts.map((rule) => rule.alert)).toEqual([
      'GatewayAvailabilityBurnRateFast',
      'GatewayAvailabilityBurnRateSlow',
      'GatewayLatencyBurnRateFast',
      'GatewayLatencyBurnRateSlow',
      'High5xxRate',
      'SubgraphDown',
      'StreamConsumerLagHigh',
      'PodCrashLooping',
    ]);
  });

  it('link a runbook section of docs/operations.md that exists', () => {
    const anchors = [...operations.matchAll(/^#{2,3} (.+)$/gm)].map((match) => slug(match[1] ?? ''));
    for (const rule of alerts) {
      const url = rule.annotations?.runbook_url ?? '';
      expect([rule.alert, url]).toEqual([rule.alert, expect.stringMatching(/^docs\/operations\.md#/)]);
      expect(anchors).toContain(url.split('#')[1]);
    }
  });

  it('use only documented series and recording rules', () => {
    for (const rule of rules) {
      for (const name of seriesIn(rule.expr)) expect([...SERIES, ...recorded]).toContain(name);
    }
    for (const series of SERIES) expect(operations).toContain(`\`${series}\``);
  });
});

describe('Grafana', () => {
  const datasources = parse(read('deploy/grafana/provisioning/datasources/datasources.yml')) as {
    datasources: { uid: string }[];
  };
  const uids = datasources.datasources.map((source) => source.uid);

  it.each(['gateway', 'subgraphs'])('has a %s dashboard on provisioned data sources and documented series', (name) => {
    const dashboard = JSON.parse(read(`deploy/grafana/dashboards/${name}.json`)) as {
      uid: string;
      panels: { datasource: { uid: string }; targets: { expr: string }[] }[];
    };
    expect(dashboard.uid).toBe(`supergraph-${name}`);
    expect(dashboard.panels.length).toBeGreaterThan(4);
    for (const panel of dashboard.panels) {
      expect(uids).toContain(panel.datasource.uid);
      for (const target of panel.targets) {
        for (const series of seriesIn(target.expr)) expect([...SERIES, ...recorded]).toContain(series);
      }
    }
  });
});

describe('Prometheus', () => {
  it('scrapes the gateway and every subgraph with its service label, and loads the alert rules', () => {
    const config = parse(read('deploy/prometheus/prometheus.yml')) as {
      rule_files: string[];
      scrape_configs: { static_configs: { targets: string[]; labels?: { service?: string } }[] }[];
    };
    expect(config.rule_files).toEqual(['/etc/prometheus/alerts.yml']);
    const targets = config.scrape_configs.flatMap((job) =>
      job.static_configs.flatMap((group) => group.targets.map((target) => [group.labels?.service, target])),
    );
    expect(targets.filter(([service]) => service)).toEqual([
      ['gateway', 'gateway:4000'],
      ['users', 'users:4001'],
      ['content', 'content:4002'],
      ['search', 'search:4003'],
      ['moderation', 'moderation:4004'],
      ['billing', 'billing:4005'],
    ]);
  });
});
