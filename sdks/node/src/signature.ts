/**
 * `Paydesk-Signature: t=<unix ms>,v1=<hex>[,v1=<hex>…]`, where
 * `v1 = HMAC-SHA256(secret, "<t>." + raw body)` (SPEC §5 for requests, §9 for webhooks).
 */
import { createHmac, timingSafeEqual } from "node:crypto";

/** The hex HMAC-SHA256 of `"<t>." + body` under `secret`. */
export function computeSignature(
  secret: string,
  timestampMs: number | string,
  body: string | Uint8Array,
): string {
  const mac = createHmac("sha256", secret);
  mac.update(`${timestampMs}.`);
  mac.update(body);
  return mac.digest("hex");
}

/** A header value signing `body` at `timestampMs` with each secret given (one `v1` each). */
export function signatureHeader(
  secrets: string | readonly string[],
  body: string | Uint8Array,
  timestampMs: number = Date.now(),
): string {
  const list = typeof secrets === "string" ? [secrets] : secrets;
  return [`t=${timestampMs}`, ...list.map((s) => `v1=${computeSignature(s, timestampMs, body)}`)].join(",");
}

/** The parts of a header: `t` and every `v1` (other schemes ignored), or why it is malformed. */
export function parseSignatureHeader(header: string): { t: number; tText: string; v1: string[] } | string {
  let tText: string | undefined;
  const v1: string[] = [];
  for (const part of header.split(",")) {
    const at = part.indexOf("=");
    if (at < 0) return "each element must be name=value";
    const name = part.slice(0, at).trim();
    const value = part.slice(at + 1).trim();
    if (name === "t") {
      if (tText !== undefined) return "t appears more than once";
      if (!/^[0-9]{1,18}$/.test(value)) return "t must be a Unix time in milliseconds";
      tText = value;
    } else if (name === "v1") {
      if (!/^[0-9a-fA-F]{64}$/.test(value)) return "v1 must be 64 hexadecimal characters";
      v1.push(value.toLowerCase());
    }
  }
  if (tText === undefined) return "t is missing";
  if (v1.length === 0) return "v1 is missing";
  return { t: Number(tText), tText, v1 };
}

/** Constant-time equality of two hex digests of the same length. */
export function digestsEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, "hex");
  const y = Buffer.from(b, "hex");
  return x.length === y.length && timingSafeEqual(x, y);
}
