/**
 * `npm run billing:reconcile [-- --repair]`: compares billing's subscriptions and invoices with the
 * payment provider's records and prints the drift as JSON; with `--repair`, makes local state match
 * (changes are published through the outbox, which the running billing service relays).
 * Exit code: 0 no drift (or repaired), 2 drift found without `--repair`, 1 failure.
 */
import { env, loadConfig } from '@supergraph/config';
import { InProcessBus } from '@supergraph/events';
import { createLogger } from '@supergraph/logger';
import { createSubgraphServer } from '@supergraph/subgraph-kit';
import { loadBillingConfig } from './config.js';
import { reconcile } from './reconcile.js';
import { createBillingSubgraph, paymentProviderFor } from './server.js';
import { WebhookProcessor } from './webhook.processor.js';

const repair = process.argv.includes('--repair');
const { DATABASE_URL, LOG_LEVEL } = loadConfig({
  DATABASE_URL: env.url({ protocols: ['postgres', 'postgresql'], description: 'PostgreSQL connection URL' }),
  LOG_LEVEL: env.oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { default: 'warn' }),
});
const config = loadBillingConfig();
const logger = createLogger({ service: 'billing-reconcile', level: LOG_LEVEL });
const bus = new InProcessBus();
// Built, never started: the ORM and its migrations' schema, without listening or relaying.
const server = await createSubgraphServer(createBillingSubgraph({ config }), {
  databaseUrl: DATABASE_URL,
  bus,
  logger,
});
let exitCode = 1;
try {
  const em = server.orm.em.fork();
  const provider = paymentProviderFor(config, new WebhookProcessor({ secret: config.webhookSecret }))(em, logger);
  const report = await reconcile(em, provider, { repair });
  process.stdout.write(`${JSON.stringify({ provider: provider.name, repair, ...report }, null, 2)}\n`);
  exitCode = report.drift.length > 0 && !repair ? 2 : 0;
} catch (error) {
  logger.error({ err: error }, 'reconciliation failed');
} finally {
  await server.stop();
  await bus.close();
}
process.exit(exitCode);
