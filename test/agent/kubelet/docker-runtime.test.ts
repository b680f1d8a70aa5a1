import { describe } from 'vitest';
import { dockerRuntime } from '../../../agent/kubelet/docker-runtime.ts';
import { runContainerRuntimeConformance } from '../../conformance/container-runtime.ts';
import { dockerForTests, TEST_IMAGES } from '../../support/docker.ts';

const docker = await dockerForTests();
if ('skip' in docker) {
  console.warn(`Docker runtime conformance skipped: ${docker.skip}`);
  describe.skip('ContainerRuntime conformance: docker', () => {});
} else {
  runContainerRuntimeConformance('docker', async () => ({
    runtime: dockerRuntime(),
    image: TEST_IMAGES.local,
    pullableImage: TEST_IMAGES.busybox,
    nodeIp: '127.0.0.10',
  }));
}
