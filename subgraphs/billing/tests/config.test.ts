import { describe, expect, it } from '@jest/globals';
import { LOCAL_WEBHOOK_SECRET, loadBillingConfig } from '@supergraph/billing';

describe('billing configuration', () => {
  it('selects the local provider with the development secret when nothing is configured', () => {
    expect(loadBillingConfig({})).toEqual({
      stripeSecretKey: undefined,
      webhookSecret: LOCAL_WEBHOOK_SECRET,
      webhookToleranceSeconds: 300,
    });
  });

  it('takes Stripe keys and the tolerance from the environment', () => {
    expect(
      loadBillingConfig({
        STRIPE_SECRET_KEY: 'sk_test_123',
        STRIPE_WEBHOOK_SECRET: 'whsec_123',
        STRIPE_WEBHOOK_TOLERANCE_SECONDS: '60',
      }),
    ).toEqual({ stripeSecretKey: 'sk_test_123', webhookSecret: 'whsec_123', webhookToleranceSeconds: 60 });
  });

  it('refuses the local provider and the development secret in production, naming the variables', () => {
    expect(() => loadBillingConfig({ NODE_ENV: 'production', STRIPE_SECRET_KEY: 'sk_live_1' })).toThrow(
      /STRIPE_WEBHOOK_SECRET is required when NODE_ENV=production/,
    );
    expect(() => loadBillingConfig({ NODE_ENV: 'production', STRIPE_WEBHOOK_SECRET: 'whsec_1' })).toThrow(
      /STRIPE_SECRET_KEY is required when NODE_ENV=production/,
    );
  });
});
