import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';

// K shard processes started the way the Kubernetes Indexed Job starts them (deploy/fleet-indexed-job.yaml):
// `--shard /K` with JOB_COMPLETION_INDEX = k. Together they must hold every device exactly once.

const BIN = fileURLToPath(new URL('../../../bin/routerlab.js', import.meta.url));
const children: ChildProcess[] = [];

afterAll(async () => {
  for (const c of children) {
    if (c.exitCode === null && c.signalCode === null) {
      c.kill('SIGTERM');
      // Bounded: a child whose exit is not reported must not hang the suite (SIGKILL after 5 s, move on after 8 s).
      const force = setTimeout(() => c.kill('SIGKILL'), 5000);
      await Promise.race([once(c, 'exit'), new Promise((r) => setTimeout(r, 8000))]);
      clearTimeout(force);
    }
  }
});

async function startShard(k: number, total: number, count: number): Promise<{ child: ChildProcess; control: string }> {
  const child = spawn(process.execPath, [BIN, 'fleet', '--count', String(count), '--shard', `/${total}`, '--seed', '77', '--profile', 'mix', '--no-cloud', '--control-port', '0', '--paused', '--duration', '120s'], {
    env: { ...process.env, JOB_COMPLETION_INDEX: String(k) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  const end = Date.now() + 30_000;
  while (!/control api listening on (\S+)\/api\/v1/.test(out)) {
    if (child.exitCode !== null || Date.now() > end) throw new Error(`shard ${k} did not start: ${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { child, control: /control api listening on (\S+)\/api\/v1/.exec(out)![1]! };
}

describe('fleet shards as separate processes', () => {
  it('K shards hold disjoint identities that together are the whole fleet', async () => {
    const K = 3;
    const N = 31;
    const shards = await Promise.all(Array.from({ length: K }, (_, k) => startShard(k, K, N)));
    const seen: { id: string; imei: string; shard: number }[] = [];
    for (const [k, s] of shards.entries()) {
      const res = await fetch(`${s.control}/api/v1/devices?limit=1000`);
      const items = (await res.json()) as { id: string; imei: string }[];
      expect(Number(res.headers.get('x-total-count'))).toBe(items.length);
      for (const i of items) seen.push({ ...i, shard: k });
    }
    expect(seen).toHaveLength(N);
    expect(new Set(seen.map((s) => s.id)).size).toBe(N);
    expect(new Set(seen.map((s) => s.imei)).size).toBe(N);
    expect(seen.map((s) => s.id).sort()).toEqual(Array.from({ length: N }, (_, i) => `rl-${String(i).padStart(6, '0')}`));
    // Shard k owns the contiguous range [k*N/K, (k+1)*N/K).
    for (const s of seen) {
      const i = Number(s.id.slice(3));
      expect(s.shard, s.id).toBe(Math.floor(((i + 1) * K - 1) / N));
    }
    // An index answers with the same identity whichever process asks for its state.
    const state = (await (await fetch(`${shards[1]!.control}/api/v1/devices/rl-000015/state`)).json()) as { identity: { imei: string } };
    expect(state.identity.imei).toBe(seen.find((s) => s.id === 'rl-000015')!.imei);
  });

  it('ships an Indexed Job manifest that runs the same command', () => {
    const job = parse(readFileSync('deploy/fleet-indexed-job.yaml', 'utf8')) as {
      kind: string;
      spec: { completionMode: string; completions: number; parallelism: number; template: { spec: { containers: { command: string[]; args: string[] }[] } } };
    };
    expect(job.kind).toBe('Job');
    expect(job.spec.completionMode).toBe('Indexed');
    const c = job.spec.template.spec.containers[0]!;
    expect(c.command).toEqual(['node', 'bin/routerlab.js', 'fleet']);
    expect(c.args).toContain(`--shard=/${job.spec.completions}`);
  });
});
