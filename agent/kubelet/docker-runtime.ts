/**
 * The Docker implementation of `ContainerRuntime`, over the Engine API via
 * `dockerode`. Thin: it maps requests to Docker's create options and
 * inspect output back to `RuntimeContainer`, nothing more.
 */
import { PassThrough } from 'node:stream';
import Docker from 'dockerode';
import type { ContainerRuntime, CreateContainerRequest, ExecResult, PullAuth, RuntimeContainer } from './runtime.ts';

/** Options of the Docker runtime. */
export interface DockerRuntimeOptions {
  /** Unix socket of the engine (default `/var/run/docker.sock`). */
  socketPath?: string;
}

function isNotFound(e: unknown): boolean {
  return (e as { statusCode?: number }).statusCode === 404;
}

function publishedPorts(info: Docker.ContainerInspectInfo): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, bindings] of Object.entries(info.NetworkSettings?.Ports ?? {})) {
    const first = (bindings ?? [])[0];
    if (!first?.HostPort) continue;
    const [port, proto] = key.split('/');
    out[`${port}/${(proto ?? 'tcp').toUpperCase()}`] = Number(first.HostPort);
  }
  return out;
}

function fromInspect(info: Docker.ContainerInspectInfo): RuntimeContainer {
  const s = info.State;
  // A container whose start failed stays "created" with an error: to the kubelet it has exited.
  const failedStart = s.Status === 'created' && !!s.Error;
  const state = s.Running
    ? 'running'
    : failedStart || s.Status === 'exited' || s.Status === 'dead'
      ? 'exited'
      : s.Status === 'created'
        ? 'created'
        : 'unknown';
  // Docker reports nanoseconds; Kubernetes' timestamps are RFC 3339 to the second.
  const zero = (t: string | undefined) =>
    !t || t.startsWith('0001-') ? undefined : new Date(t).toISOString().replace(/\.\d+Z$/, 'Z');
  return {
    id: info.Id,
    labels: info.Config.Labels ?? {},
    image: info.Config.Image,
    imageId: info.Image,
    state,
    exitCode: state === 'exited' ? s.ExitCode || (failedStart ? 128 : 0) : undefined,
    oomKilled: s.OOMKilled,
    error: s.Error || undefined,
    createdAt: zero(info.Created) ?? info.Created,
    startedAt: zero(s.StartedAt),
    finishedAt: zero(s.FinishedAt),
    pid: s.Pid || undefined,
    ip:
      (info.NetworkSettings as { IPAddress?: string } | undefined)?.IPAddress ||
      Object.values(info.NetworkSettings?.Networks ?? {})[0]?.IPAddress ||
      undefined,
    publishedPorts: publishedPorts(info),
  };
}

/** Creates a `ContainerRuntime` over a Docker engine. */
export function dockerRuntime(opts: DockerRuntimeOptions = {}): ContainerRuntime & { docker: Docker } {
  const docker = new Docker({ socketPath: opts.socketPath ?? '/var/run/docker.sock' });
  const exited = new Map<string, RuntimeContainer>();
  const labelFilter = (labels: Record<string, string>) => Object.entries(labels).map(([k, v]) => `${k}=${v}`);

  const runtime: ContainerRuntime & { docker: Docker } = {
    docker,
    async version() {
      const v = await docker.version();
      return `docker://${v.Version}`;
    },
    async list(labels) {
      const summaries = await docker.listContainers({ all: true, filters: { label: labelFilter(labels) } });
      const found = await Promise.all(
        summaries.map(async (s) => {
          // An exited container never changes again: inspect it once.
          const cached = exited.get(s.Id);
          if (cached && s.State === 'exited') return cached;
          return runtime.inspect(s.Id);
        }),
      );
      return found.filter((c): c is RuntimeContainer => c !== undefined);
    },
    async inspect(id) {
      try {
        const c = fromInspect(await docker.getContainer(id).inspect());
        if (c.state === 'exited' && !c.error) exited.set(c.id, c);
        return c;
      } catch (e) {
        if (isNotFound(e)) {
          exited.delete(id);
          return undefined;
        }
        throw e;
      }
    },
    async create(req: CreateContainerRequest) {
      const exposed: Record<string, object> = {};
      const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
      for (const p of req.ports ?? []) {
        const key = `${p.containerPort}/${p.protocol.toLowerCase()}`;
        exposed[key] = {};
        (bindings[key] ??= []).push({ HostIp: p.hostIp, HostPort: p.hostPort ? String(p.hostPort) : '' });
      }
      const r = req.resources ?? {};
      const joins = req.networkMode.startsWith('container:');
      const options: Docker.ContainerCreateOptions = {
        name: req.name,
        Image: req.image,
        Labels: req.labels,
        Entrypoint: req.entrypoint,
        Cmd: req.cmd,
        Env: req.env,
        WorkingDir: req.workingDir,
        Hostname: joins ? undefined : req.hostname,
        ExposedPorts: joins ? undefined : exposed,
        Tty: req.tty ?? false,
        OpenStdin: req.stdin ?? false,
        HostConfig: {
          NetworkMode: req.networkMode,
          IpcMode: req.ipcMode,
          ExtraHosts: joins ? undefined : req.extraHosts,
          PortBindings: joins ? undefined : bindings,
          Binds: req.binds,
          CpuShares: r.cpuShares,
          CpuQuota: r.cpuQuota,
          CpuPeriod: r.cpuPeriod,
          Memory: r.memoryBytes,
          // The kubelet restarts containers itself.
          RestartPolicy: { Name: 'no' },
        },
      };
      try {
        return (await docker.createContainer(options)).id;
      } catch (e) {
        // 409: a container of that name was left behind (an interrupted attempt); replace it.
        if ((e as { statusCode?: number }).statusCode !== 409) throw e;
        await runtime.remove(req.name);
        return (await docker.createContainer(options)).id;
      }
    },
    async start(id) {
      try {
        await docker.getContainer(id).start();
      } catch (e) {
        // 304: already started.
        if ((e as { statusCode?: number }).statusCode !== 304) throw e;
      }
    },
    async stop(id, timeoutSeconds) {
      try {
        await docker.getContainer(id).stop({ t: Math.max(0, Math.floor(timeoutSeconds)) });
      } catch (e) {
        const code = (e as { statusCode?: number }).statusCode;
        if (code !== 304 && code !== 404) throw e;
      }
    },
    async remove(id) {
      exited.delete(id);
      try {
        await docker.getContainer(id).remove({ force: true, v: true });
      } catch (e) {
        const code = (e as { statusCode?: number }).statusCode;
        // 409: removal already in progress.
        if (code !== 404 && code !== 409) throw e;
      }
    },
    async exec(id, command, timeoutMs): Promise<ExecResult> {
      const exec = await docker.getContainer(id).exec({ Cmd: command, AttachStdout: true, AttachStderr: true });
      const stream = await exec.start({ hijack: true, stdin: false });
      const sink = new PassThrough();
      let output = '';
      sink.on('data', (d: Buffer) => {
        if (output.length < 64 * 1024) output += d.toString('utf8');
      });
      docker.modem.demuxStream(stream, sink, sink);
      const finished = new Promise<void>((resolve) => {
        stream.on('end', resolve);
        stream.on('close', resolve);
        stream.on('error', () => resolve());
      });
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
      const r = await Promise.race([finished, timedOut]);
      clearTimeout(timer);
      if (r === 'timeout') {
        stream.destroy();
        return { exitCode: -1, output: `command timed out after ${timeoutMs} ms` };
      }
      const info = await exec.inspect();
      return { exitCode: info.ExitCode ?? -1, output };
    },
    async imageId(image) {
      try {
        return (await docker.getImage(image).inspect()).Id;
      } catch (e) {
        if (isNotFound(e)) return undefined;
        throw e;
      }
    },
    async pull(image, auth?: PullAuth) {
      const stream = await docker.pull(image, auth ? { authconfig: auth } : {});
      await new Promise<void>((resolve, reject) => {
        docker.modem.followProgress(stream, (err: Error | null, events: { error?: string }[]) => {
          const failed = events?.find((e) => e.error);
          if (err) reject(err);
          else if (failed) reject(new Error(failed.error));
          else resolve();
        });
      });
    },
    async tailLogs(id, lines) {
      try {
        const buf = (await docker
          .getContainer(id)
          .logs({ stdout: true, stderr: true, tail: lines, follow: false })) as unknown as Buffer;
        return demux(buf);
      } catch (e) {
        if (isNotFound(e)) return '';
        throw e;
      }
    },
    watchEvents(labels, onEvent) {
      let stopped = false;
      let current: NodeJS.ReadableStream | undefined;
      const open = async () => {
        while (!stopped) {
          try {
            const stream = await docker.getEvents({ filters: { type: ['container'], label: labelFilter(labels) } });
            current = stream;
            let buffered = '';
            await new Promise<void>((resolve) => {
              stream.on('data', (d: Buffer) => {
                buffered += d.toString('utf8');
                let nl: number;
                while ((nl = buffered.indexOf('\n')) >= 0) {
                  const line = buffered.slice(0, nl);
                  buffered = buffered.slice(nl + 1);
                  try {
                    const ev = JSON.parse(line) as {
                      id?: string;
                      Action?: string;
                      Actor?: { Attributes?: Record<string, string> };
                    };
                    if (ev.id) onEvent({ id: ev.id, action: ev.Action ?? '', labels: ev.Actor?.Attributes ?? {} });
                  } catch {
                    // A partial line; the next chunk completes it.
                  }
                }
              });
              stream.on('end', () => resolve());
              stream.on('close', () => resolve());
              stream.on('error', () => resolve());
            });
          } catch {
            // Engine restarting: retry below.
          }
          if (!stopped) await new Promise((r) => setTimeout(r, 1000));
        }
      };
      void open();
      return () => {
        stopped = true;
        (current as unknown as { destroy?: () => void } | undefined)?.destroy?.();
      };
    },
  };
  return runtime;
}

/** Docker's multiplexed log stream (8-byte frame headers) to text; plain text passes through. */
function demux(buf: Buffer): string {
  if (!Buffer.isBuffer(buf)) return String(buf ?? '');
  let out = '';
  let i = 0;
  while (i + 8 <= buf.length && (buf[i] === 1 || buf[i] === 2 || buf[i] === 0)) {
    const size = buf.readUInt32BE(i + 4);
    out += buf.subarray(i + 8, i + 8 + size).toString('utf8');
    i += 8 + size;
  }
  return i === 0 ? buf.toString('utf8') : out;
}
