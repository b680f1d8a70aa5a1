/**
 * The Docker engine for end-to-end tests. No image can be pulled from the
 * internet here, so the test image is built locally: a rootfs holding
 * Debian's static busybox (every applet linked in /bin), `docker import`ed,
 * then pushed to a local registry on 127.0.0.1:5000 (Debian's
 * `docker-registry`, started here when nothing answers there) so tests
 * exercise real pulls. Docker treats 127.0.0.0/8 registries as insecure, so
 * no TLS is needed.
 *
 * `dockerForTests()` follows the emulator rule: under CI=true a missing
 * engine is a failure; elsewhere the Docker tests are skipped with a hint.
 */
import { execFile, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, copyFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Docker from 'dockerode';

const run = promisify(execFile);

/** Where the busybox binary comes from (Debian's `busybox-static`). */
export const BUSYBOX = '/bin/busybox';
/** The local registry the tests pull from. */
export const TEST_REGISTRY = '127.0.0.1:5000';
/** Images the tests use. `busybox` is in the registry; `local` only in the engine (never pulled). */
export const TEST_IMAGES = {
  busybox: `${TEST_REGISTRY}/skube-test/busybox:latest`,
  local: 'skube-test/busybox:latest',
} as const;

const INSTALL_HINT =
  'Docker tests need a running Docker engine and Debian busybox-static + docker-registry ' +
  '(apt-get install docker.io busybox-static docker-registry; dockerd &)';

/** A Docker engine for tests, or why the Docker tests are skipped. */
export type DockerForTests = { docker: Docker; images: typeof TEST_IMAGES } | { skip: string };

/** True when the engine at the default socket answers. */
export async function dockerAvailable(docker = new Docker()): Promise<boolean> {
  try {
    await docker.ping();
    return true;
  } catch {
    return false;
  }
}

/**
 * The engine with the test images in place. Returns `{ skip }` when Docker,
 * busybox or the registry is missing and CI is not set; throws under CI=true.
 */
export async function dockerForTests(env: NodeJS.ProcessEnv = process.env): Promise<DockerForTests> {
  const unavailable = (why: string): DockerForTests => {
    const message = `${why}. ${INSTALL_HINT}`;
    if (env.CI === 'true') throw new Error(message);
    return { skip: message };
  };
  const docker = new Docker();
  if (!(await dockerAvailable(docker))) return unavailable('no Docker engine answers on /var/run/docker.sock');
  if (!existsSync(BUSYBOX)) return unavailable(`no ${BUSYBOX}`);
  try {
    await ensureTestImages(docker);
  } catch (e) {
    return unavailable(`test images could not be prepared: ${(e as Error).message}`);
  }
  return { docker, images: TEST_IMAGES };
}

async function hasImage(docker: Docker, name: string): Promise<boolean> {
  try {
    await docker.getImage(name).inspect();
    return true;
  } catch {
    return false;
  }
}

async function registryAnswers(): Promise<boolean> {
  try {
    const res = await fetch(`http://${TEST_REGISTRY}/v2/`, { signal: AbortSignal.timeout(2000) });
    return res.ok;
  } catch {
    return false;
  }
}

/** Starts Debian's docker-registry on 127.0.0.1:5000 (detached: it outlives the test file) unless one answers. */
export async function ensureRegistry(): Promise<void> {
  if (await registryAnswers()) return;
  if (spawnSync('sh', ['-c', 'command -v docker-registry'], { stdio: 'ignore' }).status !== 0) {
    throw new Error('docker-registry is not installed');
  }
  const dir = join(tmpdir(), 'skube-test-registry');
  mkdirSync(dir, { recursive: true });
  const config = join(dir, 'config.yml');
  writeFileSync(
    config,
    `version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: ${dir}/data\nhttp:\n  addr: ${TEST_REGISTRY}\n`,
  );
  const child = spawn('docker-registry', ['serve', config], { detached: true, stdio: 'ignore' });
  child.unref();
  for (let i = 0; i < 100; i++) {
    if (await registryAnswers()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`docker-registry did not answer on ${TEST_REGISTRY}`);
}

/** Builds the busybox rootfs image in the engine (`docker import`). */
async function importBusybox(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'skube-rootfs-'));
  try {
    for (const d of ['bin', 'etc', 'tmp', 'www', 'root']) mkdirSync(join(root, d), { recursive: true });
    copyFileSync(BUSYBOX, join(root, 'bin', 'busybox'));
    const { stdout } = await run(BUSYBOX, ['--list']);
    for (const applet of stdout.split('\n').filter((a) => a && a !== 'busybox')) {
      symlinkSync('busybox', join(root, 'bin', applet));
    }
    writeFileSync(
      join(root, 'etc', 'passwd'),
      'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n',
    );
    writeFileSync(join(root, 'etc', 'group'), 'root:x:0:\nnobody:x:65534:\n');
    await run('sh', [
      '-c',
      `tar -C '${root}' -c . | docker import -c 'ENV PATH=/bin' -c 'CMD ["/bin/sh"]' - ${TEST_IMAGES.local}`,
    ]);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

let prepared: Promise<void> | undefined;

/**
 * Makes sure `TEST_IMAGES.local` exists in the engine and `TEST_IMAGES.busybox`
 * is in the registry. Idempotent; concurrent test files share the work through
 * a lock directory.
 */
export function ensureTestImages(docker = new Docker()): Promise<void> {
  prepared ??= (async () => {
    const lock = join(tmpdir(), 'skube-test-images.lock');
    for (let i = 0; ; i++) {
      try {
        mkdirSync(lock);
        break;
      } catch {
        if (i > 600) rmSync(lock, { recursive: true, force: true }); // a dead holder after 60 s
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    try {
      if (!(await hasImage(docker, TEST_IMAGES.local))) await importBusybox();
      await ensureRegistry();
      const probe = await fetch(`http://${TEST_REGISTRY}/v2/skube-test/busybox/manifests/latest`, {
        method: 'HEAD',
        headers: { accept: 'application/vnd.docker.distribution.manifest.v2+json' },
      }).catch(() => undefined);
      if (!probe?.ok) {
        await run('docker', ['tag', TEST_IMAGES.local, TEST_IMAGES.busybox]);
        await run('docker', ['push', TEST_IMAGES.busybox]);
      }
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  })();
  prepared.catch(() => (prepared = undefined));
  return prepared;
}
