/** paydesk: the Paydesk API client for Node.js (SPEC §16). */
export { Paydesk, type WhoamiResource } from "./client.js";
export { Paydesk as default } from "./client.js";
export type { PaydeskOptions, RequestOptions } from "./core.js";
export { VERSION, DEFAULT_BASE_URL } from "./core.js";
export {
  APIConnectionError,
  APIError,
  AuthenticationError,
  ConflictError,
  InvalidRequestError,
  NotFoundError,
  PaydeskError,
  PermissionError,
  RateLimitError,
  SignatureVerificationError,
} from "./errors.js";
export { ListPromise, type ListPage, type ListParams } from "./list.js";
export { Webhook } from "./webhook.js";
export type * from "./types.js";
