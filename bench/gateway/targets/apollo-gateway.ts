/**
 * Stock `@apollo/gateway` behind `@apollo/server`'s standalone server, default settings, as its
 * documentation shows it. `node --import tsx apollo-gateway.ts <supergraph file> <port> <workers>`;
 * with more than one worker, node:cluster forks that many copies sharing the port (the same
 * mechanism the other gateways use).
 */
import cluster from 'node:cluster';
import { readFileSync } from 'node:fs';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';

const [supergraphPath, port, workers = '1'] = process.argv.slice(2);
if (!supergraphPath || !port) throw new Error('usage: apollo-gateway.ts <supergraph> <port> [workers]');

if (cluster.isPrimary && Number(workers) > 1) {
  for (let i = 0; i < Number(workers); i += 1) cluster.fork();
  process.on('SIGTERM', () => {
    for (const worker of Object.values(cluster.workers ?? {})) worker?.kill('SIGTERM');
    process.exit(0);
  });
} else {
  const server = new ApolloServer({
    gateway: new ApolloGateway({ supergraphSdl: readFileSync(supergraphPath, 'utf8') }),
  });
  await startStandaloneServer(server, { listen: { port: Number(port), host: '127.0.0.1' } });
  process.on('SIGTERM', () => process.exit(0));
}
