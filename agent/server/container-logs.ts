/**
 * Container logs from Docker as `kubectl logs` expects them: stdout and
 * stderr demultiplexed (Docker's 8-byte frame headers removed; a TTY
 * container's log is raw) into one byte stream, honouring follow, tailLines,
 * sinceSeconds/sinceTime (whole seconds, as Docker takes them), timestamps
 * (RFC 3339 with nanoseconds, Docker's and the CRI's format) and limitBytes.
 */
import { PassThrough, type Readable, Transform, Writable } from 'node:stream';
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
 * Docker's log endpoint as a stream even without `follow` (dockerode's
 * `logs()` buffers the whole answer then), so a large log flows as it is read.
 */
function logStream(docker: Docker, id: string, options: object): Promise<Readable> {
  return new Promise((resolve, reject) => {
    docker.modem.dial(
      {
        path: `/containers/${id}/logs?`,
        method: 'GET',
        isStream: true,
        statusCodes: { 200: true, 404: 'no such container', 500: 'server error' },
        options,
      },
      (err: unknown, stream: unknown) => (err ? reject(err) : resolve(stream as Readable)),
    );
  });
}

/**
 * Splits chunks into pieces of at most `size` bytes: `demuxStream` copies its
 * remaining buffer after every frame, which is quadratic in the chunk size.
 */
export function rechunk(size = 16 * 1024): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      for (let i = 0; i < chunk.length; i += size) this.push(chunk.subarray(i, i + size));
      done();
    },
  });
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
  const info = await docker.getContainer(id).inspect();
  const source = await logStream(docker, id, dockerLogOptions(options, now));
  const out = new PassThrough();
  let remaining = options.limitBytes ?? Number.POSITIVE_INFINITY;
  let finished = false;
  // Docker frames are often one short line each: coalesce what arrives in one turn of the event loop
  // into one write, so the HTTPS answer is not one TLS record per line.
  let pending: Buffer[] = [];
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (!pending.length || out.destroyed) return;
    const data = Buffer.concat(pending);
    pending = [];
    // Backpressure: stop reading Docker while the client is slower than the log.
    if (!out.write(data)) {
      input.pause();
      out.once('drain', () => input.resume());
    }
  };
  const finish = () => {
    if (finished) return;
    finished = true;
    flush();
    out.end();
    source.destroy?.();
  };
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      if (finished) return done();
      const part = chunk.length > remaining ? chunk.subarray(0, remaining) : chunk;
      remaining -= part.length;
      pending.push(part);
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
      if (remaining <= 0) finish();
      done();
    },
  });
  const input = info.Config?.Tty ? source : source.pipe(rechunk());
  if (info.Config?.Tty) input.on('data', (c: Buffer) => sink.write(c));
  else docker.modem.demuxStream(input, sink, sink);
  input.on('end', () => sink.end(() => finish()));
  source.on('close', () => {
    if (!source.readableEnded) finish();
  });
  source.on('error', () => finish());
  signal?.addEventListener('abort', finish, { once: true });
  out.on('close', finish);
  return out;
}
