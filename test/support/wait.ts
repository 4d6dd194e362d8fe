/**
 * Polling for tests that watch a real program (slurmctld, pollers, the live platform) reach a state: the probe is
 * asked until it answers something other than undefined, or the wait fails naming what it waited for.
 */

/** Asks `probe` every `intervalMs` until it answers a value; fails after `timeoutMs` naming `what`. */
export async function until<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 60_000,
  intervalMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
