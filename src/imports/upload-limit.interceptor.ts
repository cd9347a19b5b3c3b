import { BadRequestException, CallHandler, ExecutionContext, HttpStatus, Inject, Injectable, NestInterceptor, PayloadTooLargeException } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { catchError, Observable, throwError } from 'rxjs';
import { AppError } from '../common/errors/app-error';
import { importsConfig } from '../config/configuration';

/** "10 MB", "0.29 MB": the limit as a person reads it. */
export function megabytes(bytes: number): string {
  return `${Number((bytes / (1024 * 1024)).toPrecision(bytes >= 10 * 1024 * 1024 ? 3 : 2))} MB`;
}

/**
 * Multer stops an upload over IMPORT_MAX_BYTES while it streams in and answers
 * a bare 413; this says the limit, and turns multer's other refusals into
 * MALFORMED_MULTIPART. Placed before the file interceptor, which it wraps
 * (handlers throw AppError, never a bare BadRequestException).
 */
@Injectable()
export class UploadLimitInterceptor implements NestInterceptor {
  constructor(@Inject(importsConfig.KEY) private readonly config: ConfigType<typeof importsConfig>) {}

  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const { maxBytes } = this.config;
    return next.handle().pipe(
      catchError((e: unknown) =>
        throwError(() =>
          e instanceof PayloadTooLargeException
            ? new AppError(HttpStatus.PAYLOAD_TOO_LARGE, 'FILE_TOO_LARGE', `The file is larger than ${megabytes(maxBytes)}, the limit for an import`, {
                maxBytes,
              })
            : e instanceof BadRequestException
              ? // Multer's own refusals (a file under another field name, a second file, a broken body).
                AppError.badRequest('MALFORMED_MULTIPART', `The upload is not a valid multipart form with one file in the field "file" (${e.message})`)
              : e,
        ),
      ),
    );
  }
}
