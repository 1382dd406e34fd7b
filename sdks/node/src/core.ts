/**
 * One request to `/api/v1`: credentials, version pin, signature, the Idempotency-Key of
 * a POST or PATCH (made once per call, reused by its retries), retries with back-off,
 * and the envelope unwrapped into `data` or thrown as the matching `PaydeskError`.
 */
import { randomUUID } from "node:crypto";

import {
  APIConnectionError,
  APIError,
  errorClassFor,
  PaydeskError,
  RateLimitError,
} from "./errors.js";
import { ListPromise, type ListPage } from "./list.js";
import { signatureHeader } from "./signature.js";

export const VERSION = "0.1.0";
export const DEFAULT_BASE_URL = "http://127.0.0.1:8080";
export const DEFAULT_MAX_RETRIES = 2;
export const DEFAULT_TIMEOUT_MS = 60_000;
/** The first retry waits about this long; each next one twice as long. */
const INITIAL_DELAY_MS = 500;
const MAX_DELAY_MS = 8_000;
/** A `Retry-After` longer than this is not waited for: the error is thrown instead. */
const MAX_RETRY_AFTER_MS = 60_000;

export type HttpMethod = "GET" | "POST" | "PATCH" | "DELETE";

export interface PaydeskOptions {
  /** The server's origin, such as `https://pay.example.com` (default `http://127.0.0.1:8080`). */
  baseUrl?: string;
  /** A `Paydesk-Version` pin (`YYYY-MM-DD`) sent with every request. */
  apiVersion?: string;
  /** Retries after a connection error, 429 or 5xx (default 2). */
  maxRetries?: number;
  /** Milliseconds for one attempt, answer included (default 60000). */
  timeout?: number;
  /** Sign every request with the secret key (`Paydesk-Signature`). */
  signRequests?: boolean;
  /** Send the key as the `X-API-Key` (this publishable key) + `X-API-Secret` pair. */
  publishableKey?: string;
  /** A `fetch` to use instead of the global one (a proxy agent, a test double). */
  fetch?: typeof fetch;
}

/** Per call: `client.customers.create(params, { idempotencyKey })`. */
export interface RequestOptions {
  /** Instead of a new UUID v4 (POST and PATCH). */
  idempotencyKey?: string;
  /** `Paydesk-Version` for this call, instead of the client's pin. */
  apiVersion?: string;
  maxRetries?: number;
  timeout?: number;
}

export type Query = Record<string, string | number | boolean | null | undefined>;

interface Call {
  query?: Query | undefined;
  body?: object | undefined;
  options?: RequestOptions | undefined;
}

export class Core {
  readonly baseUrl: string;
  readonly apiVersion: string | undefined;
  readonly maxRetries: number;
  readonly timeout: number;
  readonly #key: string | undefined;
  readonly #publishableKey: string | undefined;
  readonly #sign: boolean;
  readonly #fetch: typeof fetch;

  constructor(apiKey: string | null | undefined, options: PaydeskOptions = {}) {
    if (apiKey !== null && apiKey !== undefined && typeof apiKey !== "string") {
      throw new TypeError("the API key must be a string");
    }
    this.#key = apiKey || undefined;
    this.baseUrl = (options.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, "").replace(/\/api\/v1$/, "");
    if (!isHttpUrl(this.baseUrl)) {
      throw new TypeError(`baseUrl must be an http(s) URL such as https://pay.example.com, not ${JSON.stringify(options.baseUrl)}`);
    }
    this.apiVersion = options.apiVersion;
    this.maxRetries = options.maxRetries ?? DEFAULT_MAX_RETRIES;
    if (!Number.isInteger(this.maxRetries) || this.maxRetries < 0) {
      throw new TypeError("maxRetries must be a whole number, 0 or more");
    }
    this.timeout = options.timeout ?? DEFAULT_TIMEOUT_MS;
    if (!(this.timeout > 0)) throw new TypeError("timeout must be a number of milliseconds above 0");
    this.#publishableKey = options.publishableKey;
    this.#sign = options.signRequests ?? false;
    if (this.#sign && this.#key === undefined) {
      throw new TypeError("signRequests needs the secret key to sign with");
    }
    if (this.#publishableKey !== undefined && this.#key === undefined) {
      throw new TypeError("publishableKey needs the secret key to pair it with");
    }
    const f = options.fetch ?? globalThis.fetch;
    if (typeof f !== "function") {
      throw new TypeError("no fetch: use Node 18 or later, or pass options.fetch");
    }
    this.#fetch = f;
  }

  /** The `data` of the answer to one call (retried as the options say). */
  async request<T>(method: HttpMethod, path: string, call: Call = {}): Promise<T> {
    const opts = call.options ?? {};
    const url = this.baseUrl + "/api/v1" + path + queryString(call.query);
    const hasBody = method === "POST" || method === "PATCH";
    const body = hasBody ? JSON.stringify(call.body ?? {}) : "";
    const headers: Record<string, string> = {
      Accept: "application/json",
      "User-Agent": `paydesk-node/${VERSION} node/${process.versions.node}`,
    };
    if (hasBody) {
      headers["Content-Type"] = "application/json";
      headers["Idempotency-Key"] = opts.idempotencyKey ?? randomUUID();
    }
    if (this.#key !== undefined) {
      if (this.#publishableKey !== undefined) {
        headers["X-API-Key"] = this.#publishableKey;
        headers["X-API-Secret"] = this.#key;
      } else {
        headers["Authorization"] = `Bearer ${this.#key}`;
      }
    }
    const version = opts.apiVersion ?? this.apiVersion;
    if (version !== undefined) headers["Paydesk-Version"] = version;
    const maxRetries = opts.maxRetries ?? this.maxRetries;
    const timeout = opts.timeout ?? this.timeout;

    for (let attempt = 0; ; attempt++) {
      if (this.#sign && this.#key !== undefined) {
        // A fresh `t` per attempt: a retry after a long wait is still within tolerance.
        headers["Paydesk-Signature"] = signatureHeader(this.#key, body);
      }
      let outcome: { value: T } | { error: PaydeskError; retryAfterMs?: number | undefined };
      try {
        outcome = await this.#attempt<T>(method, url, headers, hasBody ? body : undefined, timeout);
      } catch (e) {
        outcome = { error: e as PaydeskError };
      }
      if ("value" in outcome) return outcome.value;
      const { error } = outcome;
      const canRetry = error instanceof APIConnectionError || error.status === 429 || (error.status ?? 0) >= 500;
      if (!canRetry || attempt >= maxRetries) throw error;
      const wait = retryDelay(attempt, outcome.retryAfterMs);
      if (wait === undefined) throw error;
      await sleep(wait);
    }
  }

  /** A list that pages by itself (see `ListPromise`). */
  list<T extends { id: string }>(path: string, params: object = {}, options?: RequestOptions): ListPromise<T> {
    const { starting_after: first, ...rest } = params as Query;
    if (first !== undefined && first !== null && typeof first !== "string") {
      throw new TypeError("starting_after must be an object id");
    }
    return new ListPromise<T>(
      (startingAfter) =>
        this.request<ListPage<T>>("GET", path, { query: { ...rest, starting_after: startingAfter }, options }),
      first ?? undefined,
    );
  }

  async #attempt<T>(
    method: HttpMethod,
    url: string,
    headers: Record<string, string>,
    body: string | undefined,
    timeout: number,
  ): Promise<{ value: T } | { error: PaydeskError; retryAfterMs?: number | undefined }> {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), timeout);
    let res: Response;
    let text: string;
    try {
      res = await this.#fetch(url, { method, headers, body, signal: abort.signal, redirect: "manual" });
      text = await res.text();
    } catch (cause) {
      const why = abort.signal.aborted ? `no answer within ${timeout} ms` : describe(cause);
      throw new APIConnectionError({
        message: `Could not reach Paydesk at ${this.baseUrl} (${method} ${new URL(url).pathname}): ${why}`,
        code: abort.signal.aborted ? "timeout" : "connection_error",
        cause,
      });
    } finally {
      clearTimeout(timer);
    }
    const headerMap: Record<string, string> = {};
    res.headers.forEach((value, name) => {
      headerMap[name.toLowerCase()] = value;
    });
    const requestId = headerMap["request-id"];
    let envelope: unknown;
    try {
      envelope = text === "" ? undefined : JSON.parse(text);
    } catch {
      envelope = undefined;
    }
    if (isObject(envelope) && envelope["ok"] === true && res.status < 300) {
      return { value: envelope["data"] as T };
    }
    const retryAfterMs = parseRetryAfter(headerMap["retry-after"]);
    if (!isObject(envelope) || !isObject(envelope["error"])) {
      return {
        error: new APIError({
          message: `Paydesk answered ${res.status} without its JSON envelope${text ? `: ${text.slice(0, 200)}` : ""}`,
          status: res.status,
          code: "invalid_response",
          requestId,
          headers: headerMap,
        }),
        retryAfterMs,
      };
    }
    const err = envelope["error"];
    const fields = {
      message: typeof err["message"] === "string" ? err["message"] : `HTTP ${res.status}`,
      status: res.status,
      code: typeof err["code"] === "string" ? err["code"] : undefined,
      details: isObject(err["details"]) ? err["details"] : {},
      requestId: typeof envelope["request_id"] === "string" ? envelope["request_id"] : requestId,
      headers: headerMap,
    };
    const Kind = errorClassFor(res.status);
    const error =
      Kind === RateLimitError
        ? new RateLimitError({ ...fields, retryAfter: retryAfterMs === undefined ? undefined : retryAfterMs / 1000 })
        : new Kind(fields);
    return { error, retryAfterMs };
  }
}

/** How long to wait before retry `attempt + 1`, or `undefined` to give up (a long Retry-After). */
export function retryDelay(attempt: number, retryAfterMs: number | undefined): number | undefined {
  if (retryAfterMs !== undefined) {
    return retryAfterMs > MAX_RETRY_AFTER_MS ? undefined : retryAfterMs;
  }
  const base = Math.min(INITIAL_DELAY_MS * 2 ** attempt, MAX_DELAY_MS);
  // Jitter: between 75 % and 125 % of the base, so clients refused together spread out.
  return base * (0.75 + Math.random() * 0.5);
}

/** `Retry-After` as milliseconds: seconds, or an HTTP date. */
function parseRetryAfter(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

function queryString(query: Query | undefined): string {
  if (query === undefined) return "";
  const q = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== null) q.append(name, String(value));
  }
  const s = q.toString();
  return s === "" ? "" : `?${s}`;
}

/** A path segment from an id, refusing an empty one (it would name the list instead). */
export function segment(id: string): string {
  if (typeof id !== "string" || id === "") {
    throw new TypeError("an object id (a non-empty string) is required");
  }
  return encodeURIComponent(id);
}

function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return (u.protocol === "http:" || u.protocol === "https:") && u.host !== "";
  } catch {
    return false;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function describe(cause: unknown): string {
  if (cause instanceof Error) {
    const inner = (cause as { cause?: unknown }).cause;
    return inner instanceof Error ? `${cause.message}: ${inner.message}` : cause.message;
  }
  return String(cause);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
