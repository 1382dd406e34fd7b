<?php

declare(strict_types=1);

namespace Paydesk\Tests;

use Paydesk\Exception\SignatureVerificationException;
use Paydesk\Webhook;
use PHPUnit\Framework\TestCase;

/**
 * constructEvent against headers signed here with hash_hmac (not with the library's own
 * signer), as the server signs them: t = unix ms, v1 = HMAC-SHA256(secret, "t." + body).
 */
final class WebhookTest extends TestCase
{
    private const SECRET = 'whsec_0123456789abcdefghijABCDEFGHIJ01';
    private const OLD = 'whsec_ZYXWVUTSRQPONMLKJIHGFEDCBA98765432';
    private const PAYLOAD = '{"id":"evt_1","object":"event","type":"customer.created","data":{"object":{"id":"cus_1","metadata":{}}}}';

    private static function sign(string $payload, string $secret, ?int $t = null): string
    {
        $t ??= (int) (microtime(true) * 1000);
        return "t=$t,v1=" . hash_hmac('sha256', "$t.$payload", $secret);
    }

    public function testAValidSignatureGivesTheEvent(): void
    {
        $event = Webhook::constructEvent(self::PAYLOAD, self::sign(self::PAYLOAD, self::SECRET), self::SECRET);
        $this->assertSame('evt_1', $event->id);
        $this->assertSame('customer.created', $event['type']);
        $this->assertSame('cus_1', $event->data->object->id);
    }

    public function testAnyV1MatchesDuringASecretRoll(): void
    {
        $t = (int) (microtime(true) * 1000);
        $header = self::sign(self::PAYLOAD, self::SECRET, $t) . ',v1=' . hash_hmac('sha256', "$t." . self::PAYLOAD, self::OLD);
        $this->assertSame('evt_1', Webhook::constructEvent(self::PAYLOAD, $header, self::SECRET)->id);
        $this->assertSame('evt_1', Webhook::constructEvent(self::PAYLOAD, $header, self::OLD)->id);
    }

    public function testATamperedPayloadIsRefused(): void
    {
        $header = self::sign(self::PAYLOAD, self::SECRET);
        $this->expectException(SignatureVerificationException::class);
        Webhook::constructEvent(str_replace('cus_1', 'cus_2', self::PAYLOAD), $header, self::SECRET);
    }

    public function testAnotherSecretIsRefused(): void
    {
        $this->expectException(SignatureVerificationException::class);
        Webhook::constructEvent(self::PAYLOAD, self::sign(self::PAYLOAD, self::OLD), self::SECRET);
    }

    public function testATimestampOutsideTheToleranceIsRefused(): void
    {
        $old = (int) (microtime(true) * 1000) - 301_000;
        try {
            Webhook::constructEvent(self::PAYLOAD, self::sign(self::PAYLOAD, self::SECRET, $old), self::SECRET);
            $this->fail('a signature 301 s old was accepted');
        } catch (SignatureVerificationException $e) {
            $this->assertStringContainsString('300 seconds', $e->getMessage());
        }
        $future = (int) (microtime(true) * 1000) + 301_000;
        $this->expectException(SignatureVerificationException::class);
        Webhook::constructEvent(self::PAYLOAD, self::sign(self::PAYLOAD, self::SECRET, $future), self::SECRET);
    }

    public function testTheToleranceCanBeWidened(): void
    {
        $old = (int) (microtime(true) * 1000) - 301_000;
        $event = Webhook::constructEvent(self::PAYLOAD, self::sign(self::PAYLOAD, self::SECRET, $old), self::SECRET, 600);
        $this->assertSame('evt_1', $event->id);
    }

    /** @return iterable<string, array{string}> */
    public static function malformed(): iterable
    {
        yield 'empty' => [''];
        yield 'garbage' => ['garbage'];
        yield 'no v1' => ['t=1700000000000'];
        yield 'no t' => ['v1=' . str_repeat('a', 64)];
        yield 'v1 not hex' => ['t=1700000000000,v1=zz'];
        yield 't not a number' => ['t=soon,v1=' . str_repeat('a', 64)];
    }

    /** @dataProvider malformed */
    #[\PHPUnit\Framework\Attributes\DataProvider('malformed')]
    public function testAMalformedHeaderIsRefusedWithoutAPanic(string $header): void
    {
        $this->expectException(SignatureVerificationException::class);
        Webhook::constructEvent(self::PAYLOAD, $header, self::SECRET);
    }

    public function testAVerifiedPayloadThatIsNotAnObjectIsRefused(): void
    {
        $this->expectException(\UnexpectedValueException::class);
        Webhook::constructEvent('[1,2]', self::sign('[1,2]', self::SECRET), self::SECRET);
    }
}
