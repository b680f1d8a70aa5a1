/**
 * Container logs from Docker as `kubectl logs` expects them: stdout and
 * stderr demultiplexed (Docker's 8-byte frame headers removed; a TTY
 * container's log is raw) into one byte stream, honouring follow, tailLines,
 * sinceSeconds/sinceTime (whole seconds, as Docker takes them), timestamps
 * (RFC 3339 with nanoseconds, Docker's and the CRI's format) and limitBytes.
 */
import { PassThrough, Readable, Writable } from 'node:stream';
import type Docker from 'dockerode';
import type { PodLogOptions } from '../../core/apiserver/connect.ts';

/** The Docker `logs` options for Kubernetes' log options at `now`. */
export function dockerLogOptions(
  options: PodLogOptions,
  now: Date,
): { follow: boolean; stdout: true; stderr: true; timestamps: boolean; tail: number | 'all'; since?: number } {
  let since: number | undefined;
  if (options.sinceSeconds !== undefined) since = Math.floor(now.getTime() / 1000) - options.sinceSeconds;
  else if (options.sinceTime) since = Math.floor(options.sinceTime.getTime() / 1000);
  return {
    follow: options.follow,
    stdout: true,
    stderr: true,
    timestamps: options.timestamps,
    tail: options.tailLines ?? 'all',
    ...(since !== undefined ? { since } : {}),
  };
}

/**
 * Opens the log of container `id` as one readable byte stream that ends
 * when Docker's stream ends (with `follow`, when the container stops), when
 * `limitBytes` is reached, or when `signal` aborts.
 */
export async function openContainerLogs(
  docker: Docker,
  id: string,
  options: PodLogOptions,
  signal?: AbortSignal,
  now = new Date(),
): Promise<Readable> {
  const container = docker.getContainer(id);
  const info = await container.inspect();
  const opts = dockerLogOptions(options, now);
  // dockerode answers a Buffer without follow and a stream with it.
  const raw = (await container.logs(opts as Parameters<typeof container.logs>[0] & { follow: false })) as unknown as
    Buffer | NodeJS.ReadableStream;
  const source: Readable = Buffer.isBuffer(raw) ? Readable.from([raw]) : (raw as Readable);
  const out = new PassThrough();
  let remaining = options.limitBytes ?? Number.POSITIVE_INFINITY;
  let finished = false;
  const finish = () => {
    if (finished) return;
    finished = true;
    out.end();
    source.destroy?.();
  };
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      if (finished) return done();
      const part = chunk.length > remaining ? chunk.subarray(0, remaining) : chunk;
      remaining -= part.length;
      out.write(part);
      if (remaining <= 0) finish();
      done();
    },
  });
  if (info.Config?.Tty) source.on('data', (c: Buffer) => sink.write(c));
  else docker.modem.demuxStream(source, sink, sink);
  source.on('end', () => sink.end(() => finish()));
  source.on('close', () => setImmediate(finish));
  source.on('error', () => finish());
  signal?.addEventListener('abort', finish, { once: true });
  out.on('close', finish);
  return out;
}
