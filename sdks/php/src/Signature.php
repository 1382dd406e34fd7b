<?php

declare(strict_types=1);

namespace Paydesk;

use Paydesk\Exception\SignatureVerificationException;

/**
 * `Paydesk-Signature: t=<unix ms>,v1=<hex>` with v1 = HMAC-SHA256(secret, "<t>." + body):
 * the scheme of signed requests (the key's secret) and of webhooks (the endpoint's
 * `whsec_` secret). Several `v1=` may appear while a secret rolls; one match suffices.
 */
final class Signature
{
    public const HEADER = 'Paydesk-Signature';

    public static function compute(int $timestampMs, string $payload, string $secret): string
    {
        return hash_hmac('sha256', $timestampMs . '.' . $payload, $secret);
    }

    /** A header value signing $payload now (or at $timestampMs). */
    public static function header(string $payload, string $secret, ?int $timestampMs = null): string
    {
        $t = $timestampMs ?? self::nowMs();
        return 't=' . $t . ',v1=' . self::compute($t, $payload, $secret);
    }

    /**
     * Checks $header against $payload and $secret; the timestamp must be within
     * $tolerance seconds of now (0 or less: not checked).
     *
     * @throws SignatureVerificationException
     */
    public static function verify(string $payload, string $header, string $secret, int $tolerance = 300): void
    {
        if ($secret === '') {
            throw new SignatureVerificationException('The signing secret is empty.', $header);
        }
        $timestamp = null;
        $signatures = [];
        foreach (explode(',', $header) as $part) {
            $pair = explode('=', trim($part), 2);
            if (count($pair) !== 2) {
                continue;
            }
            [$name, $value] = [trim($pair[0]), trim($pair[1])];
            if ($name === 't' && $timestamp === null && preg_match('/^\d{1,19}$/', $value) === 1) {
                $timestamp = (int) $value;
            } elseif ($name === 'v1' && preg_match('/^[0-9a-fA-F]{64}$/', $value) === 1) {
                $signatures[] = strtolower($value);
            }
        }
        if ($timestamp === null || $signatures === []) {
            throw new SignatureVerificationException(
                'Unable to read a timestamp (t=) and a v1 signature from the Paydesk-Signature header.',
                $header,
            );
        }
        $expected = self::compute($timestamp, $payload, $secret);
        $matched = false;
        foreach ($signatures as $candidate) {
            // Every candidate is compared, in constant time each.
            $matched = hash_equals($expected, $candidate) || $matched;
        }
        if (!$matched) {
            throw new SignatureVerificationException(
                'No v1 signature in the Paydesk-Signature header matches the payload and secret.',
                $header,
            );
        }
        if ($tolerance > 0 && abs(self::nowMs() - $timestamp) > $tolerance * 1000) {
            throw new SignatureVerificationException(
                sprintf('The signature\'s timestamp is more than %d seconds from now.', $tolerance),
                $header,
            );
        }
    }

    public static function nowMs(): int
    {
        return (int) floor(microtime(true) * 1000);
    }
}
