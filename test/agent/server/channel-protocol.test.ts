/** The remote-command channel framing: protocol choice, frames both ways, exit statuses. */
import { describe, expect, it } from 'vitest';
import {
  Channel,
  chooseProtocol,
  decodeClientFrame,
  encodeFrame,
  exitStatus,
} from '../../../agent/server/channel-protocol.ts';

describe('channel protocol', () => {
  it.each([
    [['v5.channel.k8s.io'], 'v5.channel.k8s.io'],
    [['v4.channel.k8s.io', 'v5.channel.k8s.io'], 'v5.channel.k8s.io'],
    [['v4.channel.k8s.io', 'v3.channel.k8s.io'], 'v4.channel.k8s.io'],
    [['channel.k8s.io', 'base64.channel.k8s.io'], undefined],
    [[], undefined],
  ])('chooses from %j → %s', (offered, chosen) => {
    expect(chooseProtocol(offered)).toBe(chosen);
  });

  it('prefixes each frame with its channel byte', () => {
    expect([...encodeFrame(Channel.stdout, 'hi')]).toEqual([1, 0x68, 0x69]);
    expect([...encodeFrame(Channel.stderr, Buffer.from([0, 255]))]).toEqual([2, 0, 255]);
    expect([...encodeFrame(Channel.error)]).toEqual([3]);
  });

  it('decodes stdin, resize and (v5 only) close frames', () => {
    expect(decodeClientFrame(Buffer.from([0, 0x61, 0x0a]), 'v5.channel.k8s.io')).toEqual({
      type: 'stdin',
      data: Buffer.from('a\n'),
    });
    expect(decodeClientFrame(encodeFrame(4, '{"Width":120,"Height":40}'), 'v4.channel.k8s.io')).toEqual({
      type: 'resize',
      width: 120,
      height: 40,
    });
    expect(decodeClientFrame(Buffer.from([255, 0]), 'v5.channel.k8s.io')).toEqual({ type: 'close', channel: 0 });
    expect(decodeClientFrame(Buffer.from([255, 0]), 'v4.channel.k8s.io')).toEqual({ type: 'ignored', channel: 255 });
  });

  it('ignores malformed resizes, output channels and empty messages', () => {
    expect(decodeClientFrame(encodeFrame(4, 'not json'), 'v5.channel.k8s.io')).toEqual({ type: 'ignored', channel: 4 });
    expect(decodeClientFrame(encodeFrame(4, '{"Width":-1,"Height":2}'), 'v5.channel.k8s.io')).toEqual({
      type: 'ignored',
      channel: 4,
    });
    expect(decodeClientFrame(encodeFrame(1, 'x'), 'v5.channel.k8s.io')).toEqual({ type: 'ignored', channel: 1 });
    expect(decodeClientFrame(Buffer.alloc(0), 'v5.channel.k8s.io')).toBeUndefined();
  });

  it('reports exit code 0 as Success and others as NonZeroExitCode with an ExitCode cause', () => {
    expect(exitStatus(0, ['true'])).toEqual({ metadata: {}, status: 'Success' });
    expect(exitStatus(3, ['sh', '-c', 'exit 3'])).toEqual({
      metadata: {},
      status: 'Failure',
      message: 'command terminated with non-zero exit code: error executing command [sh -c exit 3], exit code 3',
      reason: 'NonZeroExitCode',
      details: { causes: [{ reason: 'ExitCode', message: '3' }] },
    });
  });
});
