import { randomUUID } from 'node:crypto';
import { loadPolicy, type LoadedPolicy } from '@open-policy-agent/opa-wasm';
import type { Logger } from '@supergraph/logger';
import { tracer } from '@supergraph/telemetry';
import type { PolicyInput } from './input.js';
import { readTarGz } from './tar.js';
import { verifyBundleSignature, type SignatureOptions } from './signature.js';

export interface Decision {
  readonly allow: boolean;
  readonly reason: string;
  readonly decisionId: string;
  /** Bundle revision that decided; `none` when no bundle is loaded. */
  readonly revision: string;
}

export interface LoadedBundle {
  readonly revision: string;
  readonly entrypoints: readonly string[];
}

interface Active {
  readonly policy: LoadedPolicy;
  readonly revision: string;
  readonly entrypoints: ReadonlySet<string>;
}

export interface PolicyEngineOptions {
  readonly logger: Logger;
  /** Bundle signature verification; `undefined` accepts unsigned bundles (tests of the engine only). */
  readonly signature: SignatureOptions | undefined;
}

/** Counters for metrics: decisions by outcome, bundle loads by outcome. */
export interface PolicyStats {
  allowed: number;
  denied: number;
  errors: number;
  bundlesLoaded: number;
  bundlesRejected: number;
}

/**
 * The one typed wrapper over `@open-policy-agent/opa-wasm`. A decision is `{allow, reason}`; an
 * empty or malformed result, an unknown entrypoint, an evaluation error or the absence of any bundle
 * is a deny. Every decision is logged (decision id, revision, path, subject, allow, reason,
 * duration), never with tokens or personal data. A new bundle is verified and compiled first and
 * swapped in at once; a bad one leaves the current one in place.
 */
export class PolicyEngine {
  private active: Active | undefined;
  readonly stats: PolicyStats = { allowed: 0, denied: 0, errors: 0, bundlesLoaded: 0, bundlesRejected: 0 };
  private readonly decisionLog: Logger;

  constructor(private readonly options: PolicyEngineOptions) {
    this.decisionLog = options.logger.child({ component: 'policy' });
  }

  get revision(): string | undefined {
    return this.active?.revision;
  }

  get ready(): boolean {
    return this.active !== undefined;
  }

  /** Verifies, compiles and activates a bundle (`.tar.gz` bytes); throws, keeping the current one, when it is bad. */
  async loadBundle(archive: Buffer): Promise<LoadedBundle> {
    try {
      const files = readTarGz(archive);
      if (this.options.signature) await verifyBundleSignature(files, this.options.signature);
      const wasm = files.get('/policy.wasm');
      if (!wasm) throw new Error('bundle has no policy.wasm');
      const manifest = JSON.parse(files.get('/.manifest')?.toString('utf8') ?? '{}') as {
        revision?: string;
        wasm?: { entrypoint: string }[];
      };
      const data = files.get('/data.json');
      const policy = await loadPolicy(wasm);
      policy.setData(data ? (JSON.parse(data.toString('utf8')) as object) : {});
      const entrypoints = new Set(Object.keys(policy.entrypoints as Record<string, number>));
      this.active = { policy, revision: manifest.revision ?? 'unknown', entrypoints };
      this.stats.bundlesLoaded += 1;
      return { revision: this.active.revision, entrypoints: [...entrypoints] };
    } catch (error) {
      this.stats.bundlesRejected += 1;
      throw error;
    }
  }

  /** Evaluates one entrypoint, e.g. `supergraph/users/profile/decision`. Never throws. */
  decide(entrypoint: string, input: PolicyInput): Decision {
    const started = performance.now();
    const decisionId = randomUUID();
    const active = this.active;
    let allow = false;
    let reason: string;
    if (!active) reason = 'no policy bundle loaded';
    else if (!active.entrypoints.has(entrypoint)) reason = `unknown policy ${entrypoint}`;
    else {
      try {
        const result = active.policy.evaluate(input, entrypoint) as {
          result?: { allow?: unknown; reason?: unknown };
        }[];
        const decision = result[0]?.result;
        if (decision && typeof decision.allow === 'boolean') {
          allow = decision.allow;
          reason = typeof decision.reason === 'string' ? decision.reason : allow ? 'ok' : 'denied';
        } else reason = 'undefined decision';
      } catch (error) {
        this.stats.errors += 1;
        reason = `evaluation failed: ${error instanceof Error ? error.message : String(error)}`;
      }
    }
    // A span per decision (a no-op unless tracing is on).
    tracer('policy')
      .startSpan('policy.decide', {
        startTime: Date.now() - (performance.now() - started),
        attributes: { 'policy.path': entrypoint, 'policy.allow': allow },
      })
      .end();
    if (allow) this.stats.allowed += 1;
    else this.stats.denied += 1;
    const revision = active?.revision ?? 'none';
    this.decisionLog.info(
      {
        decisionId,
        revision,
        path: entrypoint,
        subject: input.subject.sub,
        clientId: input.subject.clientId,
        field: `${input.field.parentType}.${input.field.name}`,
        allow,
        reason,
        durationMs: Math.round((performance.now() - started) * 1000) / 1000,
      },
      'policy decision',
    );
    return { allow, reason, decisionId, revision };
  }
}
