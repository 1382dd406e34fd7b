/**
 * Webhooks (SPEC §9): `Webhook.constructEvent(rawBody, req.headers["paydesk-signature"],
 * endpointSecret)` checks the `Paydesk-Signature` of a delivery — any of its `v1` values,
 * since a secret roll signs with the new and the old secret — and that its `t` is within
 * the tolerance (300 s), then returns the event.
 */
import { SignatureVerificationError } from "./errors.js";
import { computeSignature, digestsEqual, parseSignatureHeader, signatureHeader } from "./signature.js";
import type { Event } from "./types.js";

export const DEFAULT_TOLERANCE_SECONDS = 300;

function refuse(message: string): never {
  throw new SignatureVerificationError({ message, code: "signature_invalid" });
}

function raw(payload: string | Uint8Array): string | Uint8Array {
  if (typeof payload === "string" || payload instanceof Uint8Array) return payload;
  return refuse(
    "the payload must be the raw request body (a string or Buffer), not parsed JSON: " +
      "re-serialising changes the bytes that were signed",
  );
}

export const Webhook = {
  /**
   * Verifies the header against the raw body and returns the parsed event. Throws
   * `SignatureVerificationError` when no `v1` matches, the header is malformed or
   * missing, or `t` is more than `tolerance` seconds away from now (0 turns that check
   * off; keep it on, it is what stops a captured delivery from being replayed later).
   */
  constructEvent<T = Event>(
    payload: string | Uint8Array,
    sigHeader: string | string[] | undefined,
    secret: string,
    tolerance: number = DEFAULT_TOLERANCE_SECONDS,
    nowMs: number = Date.now(),
  ): T {
    Webhook.verifyHeader(payload, sigHeader, secret, tolerance, nowMs);
    try {
      const body = raw(payload);
      return JSON.parse(typeof body === "string" ? body : Buffer.from(body).toString("utf8")) as T;
    } catch (e) {
      if (e instanceof SignatureVerificationError) throw e;
      return refuse("the payload is signed but is not JSON");
    }
  },

  /** The checks of `constructEvent` without parsing: `true`, or a thrown error. */
  verifyHeader(
    payload: string | Uint8Array,
    sigHeader: string | string[] | undefined,
    secret: string,
    tolerance: number = DEFAULT_TOLERANCE_SECONDS,
    nowMs: number = Date.now(),
  ): true {
    if (typeof secret !== "string" || secret === "") refuse("the endpoint's signing secret (whsec_…) is required");
    const header = Array.isArray(sigHeader) ? sigHeader.join(",") : sigHeader;
    if (typeof header !== "string" || header.trim() === "") refuse("no Paydesk-Signature header");
    const parsed = parseSignatureHeader(header);
    if (typeof parsed === "string") refuse(`Paydesk-Signature is malformed: ${parsed}`);
    if (tolerance > 0 && Math.abs(nowMs - parsed.t) > tolerance * 1000) {
      refuse(`the signature's t is more than ${tolerance} s from now (a replay, or a clock off; t is in milliseconds)`);
    }
    const expected = computeSignature(secret, parsed.tText, raw(payload));
    if (!parsed.v1.some((v) => digestsEqual(v, expected))) {
      refuse("no v1 signature matches HMAC-SHA256(secret, \"<t>.\" + payload) — is this the endpoint's current secret?");
    }
    return true;
  },

  /** A `Paydesk-Signature` value for `payload`, as Paydesk sends it (for your own tests). */
  generateTestHeaderString(opts: {
    payload: string | Uint8Array;
    secret: string | readonly string[];
    timestamp?: number;
  }): string {
    return signatureHeader(opts.secret, opts.payload, opts.timestamp ?? Date.now());
  },
};
