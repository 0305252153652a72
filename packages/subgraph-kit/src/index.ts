export { defineSubgraph, loadTypeDefs } from './defineSubgraph.js';
export type {
  SubgraphDefinition,
  ConsumerDefinition,
  ConsumerContext,
  MigrationEntry,
  HttpRoute,
  HttpRouteRequest,
  HttpRouteResponse,
} from './defineSubgraph.js';
export type { SubgraphContext } from './context.js';
export { Loaders } from './Loaders.js';
export { createSubgraphServer } from './createSubgraphServer.js';
export type { SubgraphServer, SubgraphDeps } from './createSubgraphServer.js';
export { runSubgraph } from './runSubgraph.js';
export { subgraphConfigSpec } from './config.js';
export { connection, parsePageArgs, encodeCursor, decodeCursor, isId, isTime } from './pagination.js';
export type { Connection, PageArgs } from './pagination.js';
export { createBus } from './createBus.js';
export { createRealtime } from './createRealtime.js';
export { CLOSE_FORBIDDEN, CLOSE_GOING_AWAY } from './subscriptions.js';
export { filterEvents } from './filterEvents.js';
export { realtimeConsumer, REALTIME_MAX_EVENT_AGE_MS } from './realtimeConsumer.js';
export type { RealtimeBus, RealtimeIterator } from '@supergraph/events';
export { uuidv7, recordEvent } from '@supergraph/events';
export { DateTimeScalar } from './scalars.js';
export { InputValidator } from './validation.js';
export type { PolicyGuard } from './policyGuard.js';
export { createPolicyRuntime, DEV_BUNDLE_PUBLIC_KEY_FILE } from './policyRuntime.js';
export type { PolicyRuntime, PolicyRuntimeOptions } from './policyRuntime.js';
export { tableOf, uuidArray } from './sql.js';
