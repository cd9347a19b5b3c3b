import { createHash, timingSafeEqual } from 'node:crypto';

/** Whether an Authorization header carries the metrics bearer token (compared in constant time). */
export function metricsTokenMatches(authorization: string | undefined, token: string): boolean {
  const presented = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
  if (!presented) return false;
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(presented), digest(token));
}
