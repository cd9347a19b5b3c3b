import { ArgumentsHost, Catch } from '@nestjs/common';
import type { Request, Response } from 'express';
import SCIMMY from 'scimmy';
import { HttpExceptionFilter } from '../common/errors/http-exception.filter';
import { ERROR_SCHEMA } from './scim-schemas';

/** RFC 7644 §3.12 detail error keywords. */
export type ScimType = 'invalidFilter' | 'tooMany' | 'uniqueness' | 'mutability' | 'invalidSyntax' | 'invalidPath' | 'noTarget' | 'invalidValue' | 'sensitive';

export const SCIM_CONTENT_TYPE = 'application/scim+json; charset=utf-8';

/** An error answered in the SCIM error schema (RFC 7644 §3.12). */
export class ScimError extends Error {
  constructor(
    readonly status: number,
    readonly scimType: ScimType | null,
    detail: string,
    readonly headers?: Record<string, string>,
  ) {
    super(detail);
    this.name = 'ScimError';
  }

  static invalidValue(detail: string) {
    return new ScimError(400, 'invalidValue', detail);
  }

  static notFound(detail = 'Resource not found') {
    return new ScimError(404, null, detail);
  }
}

/**
 * Runs scimmy's parsers: its SCIM errors keep their status and keyword, and
 * the TypeErrors its schemas throw on a value of the wrong type are 400
 * invalidValue (they are about the request, not about this service).
 */
export function scimmy<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw toScimError(error) ?? error;
  }
}

export async function scimmyAsync<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw toScimError(error) ?? error;
  }
}

function toScimError(error: unknown): ScimError | null {
  if (error instanceof ScimError) return error;
  if (error instanceof SCIMMY.Types.Error) return new ScimError(error.status, (error.scimType as ScimType | undefined) ?? null, error.message);
  if (error instanceof TypeError) return ScimError.invalidValue(error.message);
  return null;
}

/** 409s that mean "a unique value is taken" (RFC 7644 `uniqueness`); other AppErrors keep their status. */
const UNIQUENESS_CODES = new Set(['ALREADY_MEMBER', 'EMAIL_TAKEN', 'EXTERNAL_ID_TAKEN', 'GROUP_NAME_TAKEN']);

/** The `/api` error codes that have a SCIM keyword. */
const SCIM_TYPES: Record<string, ScimType> = { MALFORMED_JSON: 'invalidSyntax', VALIDATION_FAILED: 'invalidValue', BAD_REQUEST: 'invalidSyntax' };

/**
 * Every error of a `/scim/v2` request, also those raised before routing (an
 * unparseable body, an unknown path), in the SCIM error schema as
 * `application/scim+json`. The global filter hands `/scim/` requests here.
 */
@Catch()
export class ScimExceptionFilter extends HttpExceptionFilter {
  override catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const res = ctx.getResponse<Response>();
    const req = ctx.getRequest<Request & { id?: string }>();
    const scim = toScimError(exception) ?? this.fromContractError(exception, req);
    if (res.headersSent) {
      res.end();
      return;
    }
    for (const [name, value] of Object.entries(scim.headers ?? {})) res.setHeader(name, value);
    res.status(scim.status).type(SCIM_CONTENT_TYPE).json(scimErrorBody(scim));
  }

  private fromContractError(exception: unknown, req: Request & { id?: string }): ScimError {
    const { body, headers } = this.toBody(exception, req);
    const scimType = body.statusCode === 409 && UNIQUENESS_CODES.has(body.code) ? 'uniqueness' : (SCIM_TYPES[body.code] ?? null);
    return new ScimError(body.statusCode, body.statusCode === 400 ? (scimType ?? 'invalidValue') : scimType, body.message, headers);
  }
}

export function scimErrorBody(error: ScimError) {
  return { schemas: [ERROR_SCHEMA], status: String(error.status), ...(error.scimType ? { scimType: error.scimType } : {}), detail: error.message };
}
