import type { ValidationError } from 'class-validator';
import { AppError, FieldError } from './app-error';

/** Flattens class-validator's tree into `[{ field, message }]` with dotted paths. */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): FieldError[] {
  const out: FieldError[] = [];
  for (const error of errors) {
    const field = parent ? `${parent}.${error.property}` : error.property;
    for (const message of Object.values(error.constraints ?? {})) {
      out.push({ field, message: message.replace(/^property (\S+) should not exist$/, 'unknown field $1') });
    }
    if (error.children?.length) out.push(...flattenValidationErrors(error.children, field));
  }
  return out;
}

export function validationExceptionFactory(errors: ValidationError[]): AppError {
  const details = flattenValidationErrors(errors);
  const unknown = details.filter((d) => d.message.startsWith('unknown field'));
  const message = unknown.length
    ? `Unknown field(s): ${unknown.map((d) => d.field).join(', ')}`
    : `Invalid field(s): ${[...new Set(details.map((d) => d.field))].join(', ')}`;
  return AppError.validation(details, message);
}
