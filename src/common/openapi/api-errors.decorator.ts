import { ErrorCode } from '../errors/error-codes';

export const API_ERRORS_KEY = 'okt:apiErrors';

/**
 * The error codes a route (or every route of a controller) answers beyond those
 * `finishDocument()` derives from the route itself. Each status of the codes
 * becomes a documented response whose `code` is an enum of them.
 *   @ApiErrors('ALREADY_MEMBER', 'EMAIL_TAKEN', 'USER_NOT_FOUND')
 */
export function ApiErrors(...codes: ErrorCode[]): ClassDecorator & MethodDecorator {
  return (target: object, _key?: string | symbol, descriptor?: PropertyDescriptor) => {
    const on: object = descriptor ? (descriptor.value as object) : target;
    const existing = (Reflect.getOwnMetadata(API_ERRORS_KEY, on) as ErrorCode[] | undefined) ?? [];
    Reflect.defineMetadata(API_ERRORS_KEY, [...existing, ...codes], on);
  };
}

/** The codes declared on a handler and on its controller (and the controller's parents). */
export function declaredErrors(controller: object, handler: object): ErrorCode[] {
  return [
    ...((Reflect.getMetadata(API_ERRORS_KEY, controller) as ErrorCode[] | undefined) ?? []),
    ...((Reflect.getMetadata(API_ERRORS_KEY, handler) as ErrorCode[] | undefined) ?? []),
  ];
}
