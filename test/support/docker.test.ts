import { describe, expect, it } from 'vitest';
import { dockerForTests, TEST_IMAGES } from './docker.ts';

const env = await dockerForTests();

describe.skipIf('skip' in env)('test Docker images', () => {
  it('runs the imported busybox image and pulls it back from the local registry', async () => {
    if ('skip' in env) return;
    const { docker } = env;
    await docker
      .getImage(TEST_IMAGES.busybox)
      .remove()
      .catch(() => {});
    const stream = await docker.pull(TEST_IMAGES.busybox);
    await new Promise((resolve, reject) => docker.modem.followProgress(stream, (e) => (e ? reject(e) : resolve(null))));
    const container = await docker.createContainer({
      Image: TEST_IMAGES.busybox,
      Cmd: ['sh', '-c', 'echo ok-$((6*7))'],
    });
    try {
      await container.start();
      const { StatusCode } = (await container.wait()) as { StatusCode: number };
      const logs = (await container.logs({ stdout: true })).toString('utf8');
      expect(StatusCode).toBe(0);
      expect(logs).toContain('ok-42');
    } finally {
      await container.remove({ force: true });
    }
  });
});
