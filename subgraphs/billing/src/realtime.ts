import { realtimeConsumer } from '@supergraph/subgraph-kit';
import { SUBSCRIPTIONS_STREAM } from './billing.service.js';
import type { PlanCode, SubscriptionStatus } from './billing.entity.js';

/** Realtime topic of plan changes: the `SubscriptionChanged` payloads of `billing.subscriptions`. */
export const SUBSCRIPTION_CHANGED_TOPIC = 'billing.subscriptionChanged';

/** The payload of `SubscriptionChanged` (stream `billing.subscriptions`) and of its realtime topic. */
export interface SubscriptionChangedPayload {
  readonly userId: string;
  readonly plan: PlanCode;
  readonly status: SubscriptionStatus;
  /** ISO-8601. */
  readonly changedAt: string;
}

/** Publishes every committed `SubscriptionChanged` to `billing.subscriptionChanged`. */
export const subscriptionChangedPublisher = realtimeConsumer({
  stream: SUBSCRIPTIONS_STREAM,
  name: 'billing.realtime',
  type: 'SubscriptionChanged',
  topic: SUBSCRIPTION_CHANGED_TOPIC,
});
