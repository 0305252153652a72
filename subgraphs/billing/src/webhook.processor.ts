import type { EntityManager } from '@mikro-orm/postgresql';
import type { HttpRouteRequest, HttpRouteResponse } from '@supergraph/subgraph-kit';
import Stripe from 'stripe';
import { BillingLedger, type ApplyOutcome } from './ledger.js';
import {
  fromUnix,
  invoiceState,
  subscriptionState,
  userIdFrom,
  type ProviderInvoice,
  type ProviderSubscription,
} from './provider-objects.js';

export const WEBHOOK_PATH = '/webhooks/payments';
/** Stripe's default: a signature older than this is refused (replays). */
export const DEFAULT_WEBHOOK_TOLERANCE_SECONDS = 300;

export interface WebhookOptions {
  /** `whsec_…`: the signing secret of the endpoint (or of the local provider). */
  readonly secret: string;
  /** Largest accepted age of the signature's timestamp. Default 300 s. */
  readonly toleranceSeconds?: number;
}

/** The event as billing reads it: Stripe's snapshot event format. */
interface ProviderEvent {
  readonly id: string;
  readonly type: string;
  readonly created: number;
  readonly data: { readonly object: Record<string, unknown> };
}

const bad = (reason: string): HttpRouteResponse => ({ status: 400, body: { error: reason } });

/**
 * The whole webhook pipeline, for provider deliveries over HTTP and the local provider alike:
 * verify the signature over the raw body (`stripe.webhooks.constructEvent`), then in ONE transaction
 * claim the event id (`insert … on conflict do nothing`) and apply its effect. A duplicate, even a
 * concurrent one, finds the id taken (its insert waits for the first transaction) and changes
 * nothing; a failure rolls everything back and answers 500 so that the provider retries.
 */
export class WebhookProcessor {
  constructor(private readonly options: WebhookOptions) {}

  async handle(em: EntityManager, rawBody: Buffer, signature: string | undefined, logger: HttpRouteRequest['logger']) {
    const event = this.verify(rawBody, signature);
    if ('status' in event) {
      logger.warn({ reason: event.body }, 'webhook refused');
      return event;
    }
    const outcome = await em.transactional((tx) => this.apply(tx, event));
    logger.info({ providerEventId: event.id, type: event.type, outcome }, 'webhook processed');
    return { status: 200, body: { received: true, outcome } };
  }

  private verify(rawBody: Buffer, signature: string | undefined): ProviderEvent | HttpRouteResponse {
    if (!signature) return bad('missing Stripe-Signature header');
    let event: unknown;
    try {
      event = Stripe.webhooks.constructEvent(
        rawBody,
        signature,
        this.options.secret,
        this.options.toleranceSeconds ?? DEFAULT_WEBHOOK_TOLERANCE_SECONDS,
      );
    } catch (error) {
      // A signature or timestamp problem, or a signed body that is not JSON.
      return bad(error instanceof Stripe.errors.StripeSignatureVerificationError ? 'invalid signature' : 'malformed');
    }
    return isProviderEvent(event) ? event : bad('malformed');
  }

  private async apply(em: EntityManager, event: ProviderEvent): Promise<ApplyOutcome | 'duplicate'> {
    const schema = em.config.get('schema')!;
    const claimed = await em.execute<{ provider_event_id: string }[]>(
      `insert into "${schema}"."webhook_event" (provider_event_id, type, provider_created_at, outcome, received_at)
       values (?, ?, ?, 'ignored', now()) on conflict do nothing returning provider_event_id`,
      [event.id, event.type, fromUnix(event.created)],
    );
    if (claimed.length === 0) return 'duplicate';
    const outcome = await dispatch(new BillingLedger(em), event);
    if (outcome !== 'ignored') {
      await em.execute(`update "${schema}"."webhook_event" set outcome = ? where provider_event_id = ?`, [
        outcome,
        event.id,
      ]);
    }
    return outcome;
  }
}

function dispatch(ledger: BillingLedger, event: ProviderEvent): Promise<ApplyOutcome> {
  const at = { at: fromUnix(event.created) };
  const object = event.data.object;
  switch (event.type) {
    case 'customer.subscription.created':
    case 'customer.subscription.updated':
    case 'customer.subscription.deleted':
    case 'customer.subscription.paused':
    case 'customer.subscription.resumed':
      return ledger.applySubscription(subscriptionState(object as unknown as ProviderSubscription), at);
    case 'invoice.paid':
      return ledger.applyInvoice(invoiceState(object as unknown as ProviderInvoice), 'ACTIVE', at);
    case 'invoice.payment_failed':
      return ledger.applyInvoice(invoiceState(object as unknown as ProviderInvoice), 'PAST_DUE', at);
    case 'invoice.finalized':
    case 'invoice.voided':
    case 'invoice.marked_uncollectible':
      return ledger.applyInvoice(invoiceState(object as unknown as ProviderInvoice), null, at);
    case 'customer.created':
    case 'customer.updated':
      return linkCustomer(ledger, object);
    default:
      // Unknown types are acknowledged (a 4xx/5xx would make the provider retry them for days).
      return Promise.resolve('ignored');
  }
}

async function linkCustomer(ledger: BillingLedger, customer: Record<string, unknown>): Promise<ApplyOutcome> {
  const userId = userIdFrom(customer.metadata as Stripe.Metadata | undefined);
  if (!userId || typeof customer.id !== 'string') return 'ignored';
  await ledger.linkCustomer(userId, customer.id);
  return 'applied';
}

function isProviderEvent(value: unknown): value is ProviderEvent {
  const event = value as Partial<ProviderEvent> | null;
  return (
    typeof event === 'object' &&
    event !== null &&
    typeof event.id === 'string' &&
    typeof event.type === 'string' &&
    Number.isInteger(event.created) &&
    typeof event.data?.object === 'object' &&
    event.data.object !== null
  );
}
