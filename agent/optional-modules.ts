/**
 * A narrow seam for agent parts colleagues build in parallel (PROXY's pod
 * network and service env, NODEAPI's credentials and kubelet server): the
 * agent loads them when their files exist and runs without them otherwise.
 * TODO(issue 6): replace with static imports once every part has landed.
 */

/** Imports `relativePath` (from this folder) or returns undefined when that file does not exist. Other errors propagate. */
export async function optionalModule<T>(relativePath: string): Promise<T | undefined> {
  const url = new URL(relativePath, import.meta.url);
  try {
    return (await import(url.href)) as T;
  } catch (e) {
    const code = (e as { code?: string }).code;
    const message = String((e as Error)?.message ?? '');
    if (
      (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') &&
      message.includes(relativePath.replace(/^\.\//, ''))
    ) {
      return undefined;
    }
    throw e;
  }
}
