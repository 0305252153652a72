import { ConfigError, env, isProduction, loadConfig } from '@supergraph/config';

type Env = Readonly<Record<string, string | undefined>>;
import { DEFAULT_WEBHOOK_TOLERANCE_SECONDS } from './webhook.processor.js';

/** The local provider's signing secret: development only (refused with NODE_ENV=production). */
export const LOCAL_WEBHOOK_SECRET = 'whsec_local_development_only';

/** Billing's own environment, beside the kit's `subgraphConfigSpec`. */
export const billingConfigSpec = {
  STRIPE_SECRET_KEY: env.optional(
    env.string({ description: 'Stripe secret key (sk_…); unset selects the local provider (development only)' }),
  ),
  STRIPE_WEBHOOK_SECRET: env.string({
    devDefault: LOCAL_WEBHOOK_SECRET,
    description: 'signing secret (whsec_…) of the /webhooks/payments endpoint',
  }),
  STRIPE_WEBHOOK_TOLERANCE_SECONDS: env.int({
    default: DEFAULT_WEBHOOK_TOLERANCE_SECONDS,
    min: 1,
    description: 'largest accepted age of a webhook signature timestamp',
  }),
};

export interface BillingConfig {
  /** Stripe secret key; undefined selects the local provider. */
  readonly stripeSecretKey: string | undefined;
  readonly webhookSecret: string;
  readonly webhookToleranceSeconds: number;
}

export function loadBillingConfig(source: Env = process.env): BillingConfig {
  const config = loadConfig(billingConfigSpec, source);
  if (!config.STRIPE_SECRET_KEY && isProduction(source)) {
    throw new ConfigError([
      'STRIPE_SECRET_KEY is required when NODE_ENV=production (the local provider is for development)',
    ]);
  }
  return {
    stripeSecretKey: config.STRIPE_SECRET_KEY,
    webhookSecret: config.STRIPE_WEBHOOK_SECRET,
    webhookToleranceSeconds: config.STRIPE_WEBHOOK_TOLERANCE_SECONDS,
  };
}
