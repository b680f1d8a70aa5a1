/**
 * Puts volume plans on disk: creates directories, writes projected files
 * with their modes (replacing what a previous sync wrote), and removes a
 * pod's directory when it is gone. File contents are never logged.
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { VolumePlan } from './volumes.ts';

/** Makes `plan` true on disk. Idempotent. */
export function writeVolume(plan: VolumePlan): void {
  if (plan.kind === 'dir') {
    if (plan.create || !existsSync(plan.hostPath)) mkdirSync(plan.hostPath, { recursive: true });
    if (plan.mode !== undefined) chmodSync(plan.hostPath, plan.mode);
    return;
  }
  if (plan.kind === 'file') {
    if (!existsSync(plan.hostPath) && plan.create) {
      mkdirSync(dirname(plan.hostPath), { recursive: true });
      writeFileSync(plan.hostPath, '', { mode: 0o644 });
    }
    return;
  }
  mkdirSync(plan.hostPath, { recursive: true, mode: 0o755 });
  chmodSync(plan.hostPath, 0o755);
  const wanted = new Set(plan.files.map((f) => f.path.split('/')[0]));
  for (const entry of readdirSync(plan.hostPath)) {
    if (!wanted.has(entry)) rmSync(join(plan.hostPath, entry), { recursive: true, force: true });
  }
  for (const f of plan.files) {
    const target = join(plan.hostPath, f.path);
    mkdirSync(dirname(target), { recursive: true, mode: 0o755 });
    writeFileSync(target, f.data);
    // writeFileSync's mode is filtered by the umask and ignored for existing files.
    chmodSync(target, f.mode);
  }
}

/** Removes a pod's directory (volumes, termination logs). */
export function removePodDir(podDir: string): void {
  rmSync(podDir, { recursive: true, force: true });
}
