/**
 * Kubernetes' remote-command WebSocket framing (`v4.channel.k8s.io`,
 * `v5.channel.k8s.io`): every binary message starts with its channel byte —
 * 0 stdin, 1 stdout, 2 stderr, 3 error (a `Status` JSON, written once, at the
 * end), 4 resize (`{"Width":w,"Height":h}`); v5 adds `[255, channel]`, the
 * peer closing its side of a channel (stdin: end of input). Pure functions.
 */

/** The subprotocols served, most preferred first. */
export const EXEC_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'] as const;

/** The channel numbers. */
export const Channel = { stdin: 0, stdout: 1, stderr: 2, error: 3, resize: 4, close: 255 } as const;

/** One decoded client frame. */
export type ClientFrame =
  | { type: 'stdin'; data: Buffer }
  | { type: 'resize'; width: number; height: number }
  | { type: 'close'; channel: number }
  | { type: 'ignored'; channel: number };

/** The first protocol of EXEC_PROTOCOLS the client offered, or undefined. */
export function chooseProtocol(offered: Iterable<string>): string | undefined {
  const set = new Set([...offered].map((p) => p.trim()));
  return EXEC_PROTOCOLS.find((p) => set.has(p));
}

/** Frames `data` for `channel`. */
export function encodeFrame(channel: number, data: Uint8Array | string = new Uint8Array()): Buffer {
  const payload = typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data);
  return Buffer.concat([Buffer.from([channel]), payload]);
}

/**
 * Decodes one client message. Resize frames with unreadable JSON and frames
 * on channels a client does not write are `ignored`, never thrown; a close
 * frame is recognised only under v5 (under v4 channel 255 is ignored).
 */
export function decodeClientFrame(message: Buffer, protocol: string): ClientFrame | undefined {
  if (message.length === 0) return undefined;
  const channel = message[0];
  const data = message.subarray(1);
  if (channel === Channel.stdin) return { type: 'stdin', data };
  if (channel === Channel.resize) {
    try {
      const size = JSON.parse(data.toString('utf8')) as { Width?: unknown; Height?: unknown };
      const width = Number(size.Width);
      const height = Number(size.Height);
      if (Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0) {
        return { type: 'resize', width, height };
      }
    } catch {
      // fall through: a malformed resize is ignored, as the kubelet does
    }
    return { type: 'ignored', channel };
  }
  if (channel === Channel.close && protocol.startsWith('v5.') && data.length >= 1) {
    return { type: 'close', channel: data[0] };
  }
  return { type: 'ignored', channel };
}

/**
 * The Status written on the error channel when the command ends: Success for
 * exit code 0, otherwise `NonZeroExitCode` with an `ExitCode` cause (kubectl
 * exits with that code and prints "command terminated with exit code N").
 */
export function exitStatus(exitCode: number, command: string[]): object {
  if (exitCode === 0) return { metadata: {}, status: 'Success' };
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command [${command.join(' ')}], exit code ${exitCode}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(exitCode) }] },
  };
}

/** The Status written on the error channel when the command could not be run at all. */
export function failureStatus(message: string): object {
  return { metadata: {}, status: 'Failure', message, reason: 'InternalError', code: 500 };
}
