import { realtimeConsumer } from '@supergraph/subgraph-kit';
import { CASES_STREAM } from './case.service.js';

/** Realtime topic of case changes: the `ModerationCaseUpdated` payloads of `moderation.cases`, once committed. */
export const CASE_UPDATED_TOPIC = 'moderation.caseUpdated';

/** Publishes every committed `ModerationCaseUpdated` to `moderation.caseUpdated`, from whichever replica consumes it. */
export const caseUpdatedPublisher = realtimeConsumer({
  stream: CASES_STREAM,
  name: 'moderation.realtime',
  type: 'ModerationCaseUpdated',
  topic: CASE_UPDATED_TOPIC,
});
