import { Server, STATUS_CODES, maxHeaderSize } from 'node:http';
import type { Socket } from 'node:net';
import { json } from 'express';
import type { RequestHandler } from 'express';

/** Deeper than any body of this API; deep enough for SCIM patches and nested filters. */
export const MAX_JSON_DEPTH = 32;
export const JSON_BODY_LIMIT = '100kb';

/** body-parser's error type for a body refused by `jsonDepthGuard`; the error filter maps it. */
export const JSON_TOO_DEEP = 'entity.too.deep';

/**
 * True when the JSON text nests objects/arrays deeper than `max`. A linear scan
 * of the raw bytes (strings and escapes skipped), run before parsing: a body
 * nested thousands of levels deep would otherwise overflow the stack of the
 * recursive steps after parsing (class-transformer in the validation pipe).
 */
export function jsonNestsDeeperThan(body: Buffer, max: number): boolean {
  let depth = 0;
  let inString = false;
  let escaped = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (c === 0x5c) escaped = true;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

/**
 * The JSON body parser: Express's own, with the size limit and the depth check.
 * Registered before Nest's default (which it then replaces: same middleware name).
 */
export function jsonBodyParser(): RequestHandler {
  return json({
    limit: JSON_BODY_LIMIT,
    // SCIM clients (directories) send their bodies as application/scim+json (RFC 7644 §3.1).
    type: ['application/json', 'application/scim+json'],
    verify: (_req, _res, body) => {
      if (jsonNestsDeeperThan(body, MAX_JSON_DEPTH)) {
        throw Object.assign(new Error(`The JSON body nests deeper than ${MAX_JSON_DEPTH} levels`), { status: 400, type: JSON_TOO_DEEP, expose: true });
      }
    },
  });
}

/**
 * Requests Node refuses before any middleware sees them (headers or URL over
 * `maxHeaderSize`, malformed HTTP, timeouts) get the contract's error body
 * instead of Node's empty answer.
 */
export function answerClientErrorsInContractShape(server: Server): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const [status, code, message] =
      error.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'HEADERS_TOO_LARGE', `The request line and headers together exceed ${Math.round(maxHeaderSize / 1024)} KB`]
        : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? [408, 'REQUEST_TIMEOUT', 'The request was not received in time']
          : [400, 'BAD_REQUEST', 'The request is not valid HTTP'];
    const body = JSON.stringify({ statusCode: status, code, message });
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}
