/**
 * Retries `check` until it stops throwing or `timeoutMs` passes, for effects that arrive through
 * events. Rethrows the last failure, so the test reports what was still wrong.
 */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = 5_000, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
}
