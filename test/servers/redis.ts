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

function launch(port: number): Promise<ChildProcess> {
  const child = spawn(binary(), ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'], {
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
