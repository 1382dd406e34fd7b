/**
 * The errors a call can throw: one base class, `PaydeskError`, and one subclass per kind
 * of refusal (SPEC §16). Every error the server sent carries its `status`, `code`,
 * `message`, `details` and `requestId` (the `Request-Id` header, `req_…`), which is what
 * to quote when asking for help.
 */

/** What the server's error envelope says, plus the response's status and headers. */
export interface ErrorFields {
  message: string;
  status?: number | undefined;
  code?: string | undefined;
  details?: Record<string, unknown> | undefined;
  requestId?: string | undefined;
  headers?: Record<string, string> | undefined;
  cause?: unknown;
}

export class PaydeskError extends Error {
  /** The HTTP status; `undefined` when no answer arrived (`APIConnectionError`). */
  readonly status: number | undefined;
  /** The envelope's `error.code`, such as `not_found` or `insufficient_scope`. */
  readonly code: string | undefined;
  /** The envelope's `error.details` (`{}` when there is nothing to say). */
  readonly details: Record<string, unknown>;
  /** The `Request-Id` of the answer (`req_…`). */
  readonly requestId: string | undefined;
  /** The answer's headers, lower-case names. */
  readonly headers: Record<string, string>;

  constructor(fields: ErrorFields) {
    super(fields.message, fields.cause === undefined ? undefined : { cause: fields.cause });
    this.name = new.target.name;
    this.status = fields.status;
    this.code = fields.code;
    this.details = fields.details ?? {};
    this.requestId = fields.requestId;
    this.headers = fields.headers ?? {};
  }
}

/** 401: missing, unknown, expired or revoked credentials, or a bad signature. */
export class AuthenticationError extends PaydeskError {}

/** 403: the credentials are good but may not do this (scope, IP, suspended, role). */
export class PermissionError extends PaydeskError {}

/** 404: no such object for these credentials (another merchant's or mode's is 404 too). */
export class NotFoundError extends PaydeskError {}

/** 409: the object's state forbids it, or the same Idempotency-Key is still running. */
export class ConflictError extends PaydeskError {}

/** 400, 422 and other 4xx: the request itself is wrong; `details.fields` names the fields. */
export class InvalidRequestError extends PaydeskError {}

/** 429: too many requests; `retryAfter` is the server's `Retry-After`, in seconds. */
export class RateLimitError extends PaydeskError {
  readonly retryAfter: number | undefined;

  constructor(fields: ErrorFields & { retryAfter?: number | undefined }) {
    super(fields);
    this.retryAfter = fields.retryAfter;
  }
}

/** 5xx, or an answer that is not the API's envelope. */
export class APIError extends PaydeskError {}

/** No answer: the connection failed, was dropped, or the timeout passed. */
export class APIConnectionError extends PaydeskError {}

/** A webhook's `Paydesk-Signature` does not verify (`Webhook.constructEvent`). */
export class SignatureVerificationError extends PaydeskError {}

/** The error class for an HTTP status. */
export function errorClassFor(status: number): typeof PaydeskError {
  switch (status) {
    case 401:
      return AuthenticationError;
    case 403:
      return PermissionError;
    case 404:
      return NotFoundError;
    case 409:
      return ConflictError;
    case 429:
      return RateLimitError;
    default:
      return status >= 500 ? APIError : status >= 400 ? InvalidRequestError : APIError;
  }
}
