/**
 * One benchmark subgraph on node:http: `node --import tsx server.ts <name>`; it reports its port to
 * the parent over IPC. Parsed and validated documents are cached per query text, as a production
 * subgraph would, so that the subgraphs cost the same small amount behind every gateway.
 *   GET /stats → { requests } (the runner counts fetches per gateway request)
 *   GET /record?on=1|0 → start/stop recording; GET /recorded → the requests and responses recorded
 */
import http from 'node:http';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { execute, parse, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import { resolvers, SUBGRAPH_NAMES, type SubgraphName } from './resolvers.js';

export function subgraphSchema(name: SubgraphName): GraphQLSchema {
  const typeDefs = parse(readFileSync(new URL(`./${name}.graphql`, import.meta.url), 'utf8'));
  return buildSubgraphSchema({ typeDefs, resolvers: resolvers[name] });
}

interface Recorded {
  readonly subgraph: SubgraphName;
  readonly request: string;
  readonly response: string;
}

export function createSubgraphServer(name: SubgraphName): http.Server {
  const schema = subgraphSchema(name);
  const documents = new Map<string, DocumentNode>();
  let requests = 0;
  let recording: Recorded[] | undefined;

  const answer = async (body: string): Promise<string> => {
    const { query, variables, operationName } = JSON.parse(body) as {
      query: string;
      variables?: Record<string, unknown>;
      operationName?: string;
    };
    let document = documents.get(query);
    if (!document) {
      document = parse(query);
      const errors = validate(schema, document);
      if (errors.length) return JSON.stringify({ errors });
      documents.set(query, document);
    }
    // `_entities` resolves through promises (@apollo/subgraph), so the result may be one.
    const result = await execute({
      schema,
      document,
      variableValues: variables ?? null,
      operationName: operationName ?? null,
    });
    return JSON.stringify(result);
  };

  return http.createServer((req, res) => {
    if (req.method === 'GET') {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (url.pathname === '/stats') return void res.end(JSON.stringify({ requests }));
      if (url.pathname === '/record') {
        recording = url.searchParams.get('on') === '1' ? [] : undefined;
        return void res.end('{}');
      }
      if (url.pathname === '/recorded') return void res.end(JSON.stringify(recording ?? []));
      res.statusCode = 404;
      return void res.end();
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      requests += 1;
      const body = Buffer.concat(chunks).toString('utf8');
      const reply = (out: string) => {
        recording?.push({ subgraph: name, request: body, response: out });
        res.setHeader('content-type', 'application/json');
        res.end(out);
      };
      answer(body).then(reply, (error: unknown) => {
        res.statusCode = 400;
        reply(JSON.stringify({ errors: [{ message: (error as Error).message }] }));
      });
    });
  });
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  const name = process.argv[2] as SubgraphName;
  if (!SUBGRAPH_NAMES.includes(name)) throw new Error(`unknown subgraph ${name}`);
  const server = createSubgraphServer(name);
  server.keepAliveTimeout = 60_000;
  server.listen(Number(process.argv[3] ?? 0), '127.0.0.1', () => {
    const { port } = server.address() as AddressInfo;
    process.send?.({ ready: true, port });
  });
  process.on('disconnect', () => process.exit(0));
}
