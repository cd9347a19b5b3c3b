/**
 * Reads until `ok` holds and returns that reading; after `timeoutMs`, fails
 * naming `what` and the last reading. For conditions a test waits to become
 * true (never to prove that something did not happen: wait for idle queues).
 */
export async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string, timeoutMs = 30000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(v)} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
