/** True when a write failed on a unique index (MySQL/MariaDB 1062, SQLite UNIQUE). */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; errno?: number; driverError?: { code?: string; errno?: number } };
  const code = e?.driverError?.code ?? e?.code;
  const errno = e?.driverError?.errno ?? e?.errno;
  return code === 'ER_DUP_ENTRY' || errno === 1062 || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/**
 * True when Redis could not be reached (ioredis gave up retrying, timed out, or
 * the connection is down): the request answers 503, which is what it is.
 */
export function isRedisUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return error.name === 'MaxRetriesPerRequestError' || /^(Connection is closed\.|Command timed out|Stream isn't writeable)/.test(error.message);
}

/** True when MySQL/MariaDB chose this transaction as a deadlock victim (1213): it rolled back and may be run again. */
export function isDeadlock(error: unknown): boolean {
  const e = error as { code?: string; errno?: number; driverError?: { code?: string; errno?: number } };
  return (e?.driverError?.code ?? e?.code) === 'ER_LOCK_DEADLOCK' || (e?.driverError?.errno ?? e?.errno) === 1213;
}
