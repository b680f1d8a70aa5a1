/**
 * One `exec` session: a Docker exec in the container, bridged to a WebSocket
 * speaking Kubernetes' channel protocol. Output goes out on channels 1 and 2
 * (everything on 1 with a TTY), stdin comes in on channel 0 (v5: `[255, 0]`
 * ends it), resizes on channel 4; when the process ends the exit status is
 * written on channel 3 and the socket is closed normally.
 */
import { Writable } from 'node:stream';
import type Docker from 'dockerode';
import type { WebSocket } from 'ws';
import { Channel, decodeClientFrame, encodeFrame, exitStatus, failureStatus } from './channel-protocol.ts';

/** What the client asked for (the exec query). */
export interface ExecOptions {
  command: string[];
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

/** Reads ExecOptions from the query (`command` repeated; booleans as `true`/`1`). */
export function parseExecQuery(query: URLSearchParams): ExecOptions {
  const bool = (k: string) => query.get(k) === 'true' || query.get(k) === '1';
  return {
    command: query.getAll('command'),
    stdin: bool('stdin'),
    stdout: bool('stdout'),
    stderr: bool('stderr'),
    tty: bool('tty'),
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs the session to its end. Never throws: Docker failures are reported on
 * the error channel. Resolves with the exit code (undefined when the command
 * could not run or the client left first).
 */
export async function runExecSession(
  docker: Docker,
  containerId: string,
  ws: WebSocket,
  protocol: string,
  opts: ExecOptions,
): Promise<number | undefined> {
  const send = (channel: number, data: Uint8Array | string) => {
    if (ws.readyState === ws.OPEN) ws.send(encodeFrame(channel, data));
  };
  const endWith = (status: object) => {
    send(Channel.error, JSON.stringify(status));
    if (ws.readyState === ws.OPEN) ws.close(1000);
  };
  let clientGone = false;
  ws.on('close', () => (clientGone = true));
  // Frames can arrive before Docker is ready; keep them until the stream exists.
  const early: Buffer[] = [];
  let onFrame: (m: Buffer) => void = (m) => early.push(m);
  ws.on('message', (m: Buffer) => onFrame(m));
  try {
    const exec = await docker.getContainer(containerId).exec({
      Cmd: opts.command,
      AttachStdin: opts.stdin,
      AttachStdout: opts.stdout,
      AttachStderr: opts.stderr,
      Tty: opts.tty,
    });
    const stream = (await exec.start({ hijack: true, stdin: opts.stdin, Tty: opts.tty })) as NodeJS.ReadWriteStream & {
      destroy(): void;
    };
    const channelSink = (channel: number) =>
      new Writable({
        write(chunk: Buffer, _e, done) {
          send(channel, chunk);
          done();
        },
      });
    if (opts.tty) stream.on('data', (c: Buffer) => send(Channel.stdout, c));
    else docker.modem.demuxStream(stream, channelSink(Channel.stdout), channelSink(Channel.stderr));
    onFrame = (m) => {
      const frame = decodeClientFrame(m, protocol);
      if (!frame) return;
      if (frame.type === 'stdin' && opts.stdin) stream.write(frame.data);
      else if (frame.type === 'close' && frame.channel === Channel.stdin && opts.stdin) stream.end();
      else if (frame.type === 'resize' && opts.tty) exec.resize({ h: frame.height, w: frame.width }).catch(() => {});
    };
    for (const m of early.splice(0)) onFrame(m);
    ws.on('close', () => stream.destroy());
    await new Promise<void>((resolve) => {
      stream.on('end', resolve);
      stream.on('close', resolve);
      stream.on('error', () => resolve());
    });
    if (clientGone) return undefined;
    // Docker may report the exec as running for a moment after its stream ends.
    for (let i = 0; i < 50; i++) {
      const state = await exec.inspect();
      if (!state.Running && state.ExitCode !== null) {
        endWith(exitStatus(state.ExitCode, opts.command));
        return state.ExitCode;
      }
      await sleep(20);
    }
    endWith(failureStatus('the command did not report an exit code'));
    return undefined;
  } catch (e) {
    endWith(failureStatus(`error executing command in container: ${(e as Error).message}`));
    return undefined;
  }
}
