/**
 * Where logs go: stdout, unless a test redirects them to capture and inspect
 * what a run logged (e.g. that no password or token is ever written).
 */
export const LOG_DESTINATION: { stream?: NodeJS.WritableStream } = {};
