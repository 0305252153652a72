import { parseArgs } from 'node:util';
import path from 'node:path';
import { env, loadConfig } from '@supergraph/config';

export const gatewayConfigSpec = {
  PORT: env.port({ default: 4000 }),
  HOST: env.string({ default: '127.0.0.1', description: 'interface to listen on (0.0.0.0 in containers)' }),
  SUPERGRAPH_PATH: env.string({
    default: 'supergraph.graphql',
    description: 'composed supergraph SDL file, watched for changes',
  }),
  LOG_LEVEL: env.oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { default: 'info' }),
  SHUTDOWN_TIMEOUT_MS: env.int({ default: 10_000, min: 0 }),
};

export interface GatewayConfig {
  readonly port: number;
  readonly host: string;
  readonly supergraphPath: string;
  readonly logLevel: string;
  readonly shutdownTimeoutMs: number;
}

/** Environment first, then `--port` and `--supergraph` flags, which win. */
export function readGatewayConfig(argv = process.argv.slice(2), source = process.env): GatewayConfig {
  const config = loadConfig(gatewayConfigSpec, source);
  const { values } = parseArgs({
    args: argv,
    options: { port: { type: 'string' }, supergraph: { type: 'string' } },
    strict: true,
  });
  const flags = loadConfig(
    { PORT: env.optional(env.port()), SUPERGRAPH_PATH: env.optional(env.string()) },
    { PORT: values.port, SUPERGRAPH_PATH: values.supergraph },
  );
  return {
    port: flags.PORT ?? config.PORT,
    host: config.HOST,
    supergraphPath: path.resolve(flags.SUPERGRAPH_PATH ?? config.SUPERGRAPH_PATH),
    logLevel: config.LOG_LEVEL,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  };
}
