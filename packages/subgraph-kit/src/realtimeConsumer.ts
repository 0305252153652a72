import type { ConsumerDefinition } from './defineSubgraph.js';

/** Events older than this when consumed are not published to realtime: subscribers want what happens now. */
export const REALTIME_MAX_EVENT_AGE_MS = 5 * 60_000;

/**
 * A consumer that publishes the payload of each `type` event of `stream` to the realtime `topic`:
 * only committed events reach subscribers (they come through the outbox), each once per consumer group,
 * by whichever replica consumes it. Events older than `maxAgeMs` when consumed (a new group replaying
 * the stream's history, a consumer catching up after an outage) are skipped.
 */
export function realtimeConsumer(options: {
  readonly stream: string;
  readonly name: string;
  readonly type: string;
  readonly topic: string;
  readonly maxAgeMs?: number;
}): ConsumerDefinition {
  const maxAgeMs = options.maxAgeMs ?? REALTIME_MAX_EVENT_AGE_MS;
  return {
    stream: options.stream,
    name: options.name,
    handle: async (event, _em, { realtime, logger }) => {
      if (event.type !== options.type) return;
      const age = Date.now() - Date.parse(event.occurredAt);
      if (age > maxAgeMs) {
        logger.debug({ eventId: event.id, topic: options.topic, ageMs: age }, 'stale event not published to realtime');
        return;
      }
      await realtime.publish(options.topic, event.payload);
    },
  };
}
