/**
 * The ContainerRuntime conformance suite: what the kubelet relies on from a
 * runtime, run against each implementation (the Docker runtime today), as
 * the store suite runs against each Store. Every container it creates
 * carries a per-run node label and is removed afterwards.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import {
  LABELS,
  type ContainerRuntime,
  type CreateContainerRequest,
  type RuntimeEvent,
} from '../../agent/kubelet/runtime.ts';
import { eventually } from '../support/local-cluster.ts';

/** What the suite needs: a runtime, a local image with busybox, a pullable image and a node IP to publish on. */
export interface RuntimeHarness {
  runtime: ContainerRuntime;
  /** Present locally; runs `sh`, `sleep`, `httpd`, `nc`. */
  image: string;
  /** Pullable from a registry the machine reaches. */
  pullableImage: string;
  nodeIp: string;
}

/** Registers the suite. `make` is called once. */
export function runContainerRuntimeConformance(name: string, make: () => Promise<RuntimeHarness>): void {
  describe(`ContainerRuntime conformance: ${name}`, () => {
    const node = `conformance-${randomBytes(3).toString('hex')}`;
    let h: RuntimeHarness;
    let n = 0;
    const harness = async () => (h ??= await make());
    const request = (extra: Partial<CreateContainerRequest> = {}): CreateContainerRequest => ({
      name: `${node}-${n++}`,
      image: h.image,
      labels: { [LABELS.node]: node, [LABELS.podUid]: `uid-${n}`, [LABELS.containerName]: 'app' },
      networkMode: 'bridge',
      ...extra,
    });
    const run = async (extra: Partial<CreateContainerRequest> = {}) => {
      const id = await h.runtime.create(request(extra));
      await h.runtime.start(id);
      return id;
    };
    afterAll(async () => {
      if (!h) return;
      for (const c of await h.runtime.list({ [LABELS.node]: node })) await h.runtime.remove(c.id);
    });

    it('creates and starts a container that reports running with its labels, IP and start time', async () => {
      await harness();
      const id = await run({ entrypoint: ['sleep', '300'] });
      const c = await h.runtime.inspect(id);
      expect(c).toMatchObject({ id, state: 'running', labels: { [LABELS.node]: node } });
      expect(c!.ip).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
      expect(c!.startedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(c!.pid).toBeGreaterThan(0);
      expect(c!.imageId).toMatch(/^sha256:/);
    });

    it('lists containers by every given label, running or not', async () => {
      await harness();
      const a = await run({
        entrypoint: ['true'],
        labels: { [LABELS.node]: node, [LABELS.podUid]: 'list-me', [LABELS.containerName]: 'a' },
      });
      const b = await run({
        entrypoint: ['sleep', '300'],
        labels: { [LABELS.node]: node, [LABELS.podUid]: 'list-me', [LABELS.containerName]: 'b' },
      });
      await eventually(async () => (await h.runtime.inspect(a))?.state === 'exited', 30_000);
      const listed = await h.runtime.list({ [LABELS.node]: node, [LABELS.podUid]: 'list-me' });
      expect(listed.map((c) => c.id).sort()).toEqual([a, b].sort());
      expect(await h.runtime.list({ [LABELS.node]: node, [LABELS.podUid]: 'nobody' })).toEqual([]);
    });

    it('reports exit codes, termination times and failed starts', async () => {
      await harness();
      const id = await run({ entrypoint: ['sh', '-c', 'exit 7'] });
      const done = await eventually(async () => {
        const c = await h.runtime.inspect(id);
        return c?.state === 'exited' ? c : undefined;
      }, 30_000);
      expect(done).toMatchObject({ exitCode: 7, oomKilled: false });
      expect(Date.parse(done!.finishedAt!)).toBeGreaterThanOrEqual(Date.parse(done!.startedAt!));
      const broken = await h.runtime.create(request({ entrypoint: ['/no/such/binary'] }));
      await h.runtime.start(broken).catch(() => {});
      const failed = await h.runtime.inspect(broken);
      expect(failed!.state).toBe('exited');
      expect(failed!.exitCode).not.toBe(0);
      expect(failed!.error).toBeTruthy();
    });

    it('shares the network namespace of a container it joins', async () => {
      await harness();
      const sandbox = await run({ entrypoint: ['sleep', '300'], hostname: 'my-pod' });
      const server = await run({
        networkMode: `container:${sandbox}`,
        entrypoint: ['sh', '-c', 'mkdir -p /www && echo shared > /www/index.html && exec httpd -f -p 8080 -h /www'],
      });
      const client = await run({ networkMode: `container:${sandbox}`, entrypoint: ['sleep', '300'] });
      const r = await eventually(async () => {
        const out = await h.runtime.exec(
          client,
          ['sh', '-c', 'printf "GET / HTTP/1.0\\r\\n\\r\\n" | nc 127.0.0.1 8080; hostname'],
          5000,
        );
        return out.output.includes('shared') ? out : undefined;
      }, 30_000);
      expect(r!.output).toContain('my-pod');
      void server;
    });

    it('publishes ports on the node IP with dynamic or fixed host ports', async () => {
      await harness();
      const id = await run({
        entrypoint: ['sleep', '300'],
        ports: [
          { containerPort: 8080, protocol: 'TCP', hostIp: h.nodeIp },
          { containerPort: 5353, protocol: 'UDP', hostIp: h.nodeIp },
        ],
      });
      const c = await h.runtime.inspect(id);
      expect(Object.keys(c!.publishedPorts!).sort()).toEqual(['5353/UDP', '8080/TCP']);
      expect(c!.publishedPorts!['8080/TCP']).toBeGreaterThan(0);
    });

    it('runs exec with exit code and output, and gives up after its timeout', async () => {
      await harness();
      const id = await run({ entrypoint: ['sleep', '300'] });
      expect(await h.runtime.exec(id, ['sh', '-c', 'echo out; echo err >&2; exit 3'], 10_000)).toEqual({
        exitCode: 3,
        output: expect.stringMatching(/out\n[\s\S]*err\n|err\n[\s\S]*out\n/),
      });
      const slow = await h.runtime.exec(id, ['sleep', '30'], 300);
      expect(slow.exitCode).not.toBe(0);
    });

    it('stops with SIGTERM first and SIGKILL after the timeout', async () => {
      await harness();
      const polite = await run({ entrypoint: ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 1; done'] });
      const stubborn = await run({ entrypoint: ['sleep', '300'] }); // PID 1 without a handler ignores SIGTERM
      await Promise.all([h.runtime.stop(polite, 20), h.runtime.stop(stubborn, 1)]);
      expect((await h.runtime.inspect(polite))!.exitCode).toBe(0);
      expect((await h.runtime.inspect(stubborn))!.exitCode).toBe(137);
      await h.runtime.stop(stubborn, 1);
    });

    it('replaces a container of the same name left behind', async () => {
      await harness();
      const req = request({ entrypoint: ['sleep', '300'] });
      const first = await h.runtime.create(req);
      const second = await h.runtime.create(req);
      expect(second).not.toBe(first);
      expect(await h.runtime.inspect(first)).toBeUndefined();
    });

    it('treats stopping and removing a missing container as done, and inspecting it as undefined', async () => {
      await harness();
      const id = await run({ entrypoint: ['true'] });
      await h.runtime.remove(id);
      await h.runtime.remove(id);
      await h.runtime.stop(id, 0);
      expect(await h.runtime.inspect(id)).toBeUndefined();
    });

    it('binds host paths and applies memory limits', async () => {
      await harness();
      const id = await run({
        entrypoint: ['sleep', '300'],
        binds: ['/etc/hostname:/host-hostname:ro'],
        resources: { memoryBytes: 64 * 1024 * 1024, cpuShares: 256 },
      });
      expect((await h.runtime.exec(id, ['cat', '/host-hostname'], 5000)).exitCode).toBe(0);
      expect((await h.runtime.exec(id, ['sh', '-c', 'echo x > /host-hostname'], 5000)).exitCode).not.toBe(0);
    });

    it('reports an out-of-memory kill', async () => {
      await harness();
      const id = await run({
        entrypoint: ['sh', '-c', 'x=$(head -c 200000000 /dev/zero | tr "\\0" a); echo done'],
        resources: { memoryBytes: 16 * 1024 * 1024 },
      });
      const c = await eventually(async () => {
        const x = await h.runtime.inspect(id);
        return x?.state === 'exited' ? x : undefined;
      }, 60_000);
      expect(c).toMatchObject({ oomKilled: true, exitCode: 137 });
    });

    it('returns the tail of the output, stdout and stderr', async () => {
      await harness();
      const id = await run({ entrypoint: ['sh', '-c', 'echo oops >&2; for i in 1 2 3 4 5; do echo line$i; done'] });
      await eventually(async () => (await h.runtime.inspect(id))?.state === 'exited', 30_000);
      // Docker copies stdout and stderr separately, so only each stream's own order is kept.
      expect(await h.runtime.tailLogs(id, 2)).toMatch(/^(line4\nline5\n|line5\noops\n|oops\nline5\n)$/);
      const all = (await h.runtime.tailLogs(id, 100)).split('\n').filter(Boolean);
      expect(all.filter((l) => l.startsWith('line'))).toEqual(['line1', 'line2', 'line3', 'line4', 'line5']);
      expect(all).toContain('oops');
    });

    it('knows local images and pulls from a registry, failing for missing ones', async () => {
      await harness();
      expect(await h.runtime.imageId(h.image)).toMatch(/^sha256:/);
      expect(await h.runtime.imageId('skube-test/none:never')).toBeUndefined();
      await h.runtime.pull(h.pullableImage);
      expect(await h.runtime.imageId(h.pullableImage)).toMatch(/^sha256:/);
      await expect(h.runtime.pull('127.0.0.1:5000/skube-test/missing:1')).rejects.toThrow();
    });

    it('reports lifecycle events of labelled containers with their labels', async () => {
      await harness();
      const events: RuntimeEvent[] = [];
      const stop = h.runtime.watchEvents({ [LABELS.node]: node }, (e) => events.push(e));
      try {
        // Give the event stream a moment to open before the container dies.
        await new Promise((r) => setTimeout(r, 500));
        const id = await run({ entrypoint: ['true'] });
        const die = await eventually(() => events.find((e) => e.id === id && e.action === 'die'), 30_000);
        expect(die!.labels[LABELS.node]).toBe(node);
      } finally {
        stop();
      }
    });
  });
}
