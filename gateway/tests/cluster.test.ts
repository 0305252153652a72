import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';

// Starts the real production entry point (gateway/src/cluster.ts) as its own process tree.
const root = fileURLToPath(new URL('../..', import.meta.url));

function start(env: Record<string, string>): ChildProcess {
  return spawn(
    process.execPath,
    ['--conditions=development', '--import', 'tsx', path.join(root, 'gateway/src/cluster.ts')],
    {
      cwd: root,
      env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'silent', SUPERGRAPH_PATH: 'supergraph.graphql', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Command lines of a process's children, from /proc. */
function childrenOf(pid: number): string[] {
  const out: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid)
        out.push(readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' '));
    } catch {
      // ended meanwhile
    }
  }
  return out;
}

describe('gateway cluster entry point (real processes)', () => {
  it('runs GATEWAY_WORKERS workers with a larger V8 semi-space on one port, and stops them on SIGTERM', async () => {
    const port = await freePort();
    const supervisor = start({ GATEWAY_WORKERS: '2', PORT: String(port) });
    try {
      let ready = false;
      for (let i = 0; i < 240 && !ready; i += 1) {
        ready = await fetch(`http://127.0.0.1:${port}/health/ready`).then(
          (r) => r.status === 200,
          () => false,
        );
        if (!ready) await new Promise((resolve) => setTimeout(resolve, 250));
      }
      expect(ready).toBe(true);
      // tsx may run an esbuild service beside the workers (on a cold transform cache): only workers count.
      const workers = childrenOf(supervisor.pid!).filter((command) => command.includes('gateway/src/cluster.ts'));
      expect(workers).toHaveLength(2);
      for (const worker of workers) expect(worker).toContain('--max-semi-space-size=32');
      supervisor.kill('SIGTERM');
      expect(await exited(supervisor)).toBe(0);
    } finally {
      supervisor.kill('SIGKILL');
    }
  }, 90_000);

  it('gives up, instead of restarting in a loop, when a worker fails before it listens', async () => {
    const supervisor = start({
      GATEWAY_WORKERS: '1',
      PORT: String(await freePort()),
      SUPERGRAPH_PATH: '/nonexistent/supergraph.graphql',
    });
    try {
      expect(await exited(supervisor)).not.toBe(0);
    } finally {
      supervisor.kill('SIGKILL');
    }
  }, 90_000);
});
