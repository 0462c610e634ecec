// A real redis-server for the fleet tests: foreground, loopback, a free port, no persistence; stopped by pid.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import { Redis } from 'ioredis';

export interface RedisServer {
  readonly port: number;
  stop(): Promise<void>;
  /** Stops and starts again on the same port (all keys are gone: nothing is persisted). */
  restart(): Promise<void>;
}

/** A port nothing listens on (it was free a moment ago). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function binary(): string {
  for (const candidate of [process.env.REDIS_SERVER, '/usr/bin/redis-server', '/usr/local/bin/redis-server'])
    if (candidate && existsSync(candidate)) return candidate;
  throw new Error('redis-server not found: install it with `apt-get install -y redis-server` (.ci/run does) or set REDIS_SERVER');
}

function launch(port: number, extra: string[] = []): Promise<ChildProcess> {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no', ...extra];
  const child = spawn(binary(), args, {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        resolve(child);
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}: ${output}`)));
  });
}

function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

export async function startRedis(): Promise<RedisServer> {
  const port = await freePort();
  let child = await launch(port);
  return {
    port,
    stop: () => kill(child),
    restart: async () => {
      await kill(child);
      child = await launch(port);
    },
  };
}

/** A redis-server and an ioredis client connected to it; `stop()` ends both. */
export interface RedisWithClient {
  readonly server: RedisServer;
  readonly client: Redis;
  stop(): Promise<void>;
}

/** Starts a redis-server and connects a client to it (a test file's beforeAll). */
export async function startRedisWithClient(): Promise<RedisWithClient> {
  const server = await startRedis();
  const client = new Redis({ host: '127.0.0.1', port: server.port });
  return {
    server,
    client,
    stop: async () => {
      client.disconnect();
      await server.stop();
    },
  };
}

/** A local Redis Cluster: its nodes' ports, and a way to stop them all. */
export interface RedisCluster {
  readonly nodes: readonly { host: string; port: number }[];
  stop(): Promise<void>;
}

/**
 * Starts `masters` redis-servers with `--cluster-enabled yes` on loopback ports (each in its own directory for
 * its nodes.conf), splits the 16,384 slots between them, has them meet, and resolves once every node says
 * `cluster_state:ok`. No replicas, nothing persisted.
 */
export async function startRedisCluster(masters = 3): Promise<RedisCluster> {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = mkdtempSync(join(tmpdir(), 'axios-steady-cluster-'));
  const ports: number[] = [];
  const children: ChildProcess[] = [];
  try {
    for (let i = 0; i < masters; i++) {
      const port = await freePort();
      ports.push(port);
      const args = ['--cluster-enabled', 'yes', '--cluster-config-file', join(dir, `nodes-${port}.conf`), '--dir', dir];
      children.push(await launch(port, args));
    }
    const clients = ports.map((port) => new Redis({ host: '127.0.0.1', port }));
    const per = Math.ceil(16384 / masters);
    await Promise.all(
      clients.map((c, i) => c.call('CLUSTER', 'ADDSLOTSRANGE', String(i * per), String(Math.min(16383, (i + 1) * per - 1)))),
    );
    for (const port of ports.slice(1)) await clients[0].call('CLUSTER', 'MEET', '127.0.0.1', String(port));
    const deadline = Date.now() + 20_000;
    for (;;) {
      const states = await Promise.all(clients.map((c) => c.call('CLUSTER', 'INFO') as Promise<string>));
      if (states.every((s) => s.includes('cluster_state:ok') && s.includes(`cluster_known_nodes:${masters}`))) break;
      if (Date.now() > deadline) throw new Error(`the Redis Cluster did not form: ${states.join(' | ')}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    for (const c of clients) c.disconnect();
  } catch (error) {
    await Promise.all(children.map(kill));
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    nodes: ports.map((port) => ({ host: '127.0.0.1', port })),
    stop: async () => {
      await Promise.all(children.map(kill));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
