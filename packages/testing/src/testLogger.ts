import { Writable } from 'node:stream';
import { createLogger, type Logger } from '@supergraph/logger';

/**
 * A real logger whose JSON lines are kept in memory, so that tests can assert what was logged.
 * `TEST_LOG=1` also prints them.
 */
export function testLogger(service = 'test'): { logger: Logger; lines: () => Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line) continue;
        lines.push(JSON.parse(line) as Record<string, unknown>);
        if (process.env.TEST_LOG) process.stdout.write(`${line}\n`);
      }
      callback();
    },
  });
  return { logger: createLogger({ service, level: 'debug', destination }), lines: () => lines };
}
