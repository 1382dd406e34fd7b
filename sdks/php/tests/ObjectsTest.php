<?php

declare(strict_types=1);

namespace Paydesk\Tests;

use Paydesk\ApiRequestor;
use Paydesk\Collection;
use Paydesk\Exception;
use Paydesk\PaydeskClient;
use Paydesk\PaydeskObject;
use Paydesk\Util;
use PHPUnit\Framework\TestCase;

/** What needs no server: objects, options, the error classes, ids, back-off. */
final class ObjectsTest extends TestCase
{
    public function testObjectsReadAsPropertiesAndAsKeys(): void
    {
        $c = PaydeskObject::fromJson('{"id":"cus_1","email":"a@b.test","metadata":{"tier":"gold"},"tags":[{"n":1}],"empty":{}}');
        $this->assertSame('cus_1', $c->id);
        $this->assertSame('cus_1', $c['id']);
        $this->assertSame('gold', $c->metadata->tier);
        $this->assertSame('gold', $c['metadata']['tier']);
        $this->assertSame(1, $c->tags[0]->n);
        $this->assertTrue(isset($c->email));
        $this->assertFalse(isset($c['missing']));
        $this->assertNull($c->missing);
        $this->assertSame('{"id":"cus_1","email":"a@b.test","metadata":{"tier":"gold"},"tags":[{"n":1}],"empty":{}}', json_encode($c));
        $this->assertSame(['tier' => 'gold'], $c->toArray()['metadata']);
    }

    public function testObjectsAreReadOnly(): void
    {
        $c = PaydeskObject::constructFrom(['id' => 'cus_1']);
        $this->expectException(\LogicException::class);
        $c['id'] = 'cus_2';
    }

    public function testAListIsACollection(): void
    {
        $page = PaydeskObject::fromJson('{"object":"list","data":[{"id":"a"},{"id":"b"}],"has_more":false}');
        $this->assertInstanceOf(Collection::class, $page);
        $this->assertCount(2, $page);
        $this->assertSame(['a', 'b'], array_map(fn ($o) => $o->id, iterator_to_array($page)));
        $this->assertSame(['a', 'b'], array_map(fn ($o) => $o->id, iterator_to_array($page->autoPagingIterator(), false)));
        $this->assertTrue($page->nextPage()->isEmpty());
    }

    public function testUnknownOptionsAreRefused(): void
    {
        $this->expectException(\InvalidArgumentException::class);
        $this->expectExceptionMessage('max_retry');
        new PaydeskClient('sk_test_x', ['max_retry' => 3]);
    }

    public function testUnknownRequestOptionsAndEmptyIdsAreRefusedBeforeAnyRequest(): void
    {
        $client = new PaydeskClient('sk_test_x', ['base_url' => 'http://127.0.0.1:9']);
        try {
            $client->customers->create([], ['idempotencyKey' => 'x']);
            $this->fail('an unknown request option was accepted');
        } catch (\InvalidArgumentException $e) {
            $this->assertStringContainsString('idempotency_key', $e->getMessage());
        }
        $this->expectException(\InvalidArgumentException::class);
        $client->customers->retrieve('');
    }

    public function testSigningNeedsASecretKey(): void
    {
        $this->expectException(\InvalidArgumentException::class);
        new PaydeskClient('pk_test_x', ['sign_requests' => true]);
    }

    public function testIdempotencyKeysAreRandomUuidV4(): void
    {
        $a = Util::uuid4();
        $this->assertMatchesRegularExpression('/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/', $a);
        $this->assertNotSame($a, Util::uuid4());
    }

    public function testBodiesAreJsonObjectsEvenWhenEmpty(): void
    {
        $this->assertSame('{}', Util::jsonBody([]));
        $this->assertSame('{"allowed_ips":[],"amount":1.0}', Util::jsonBody(['allowed_ips' => [], 'amount' => 1.0]));
        $this->assertSame('limit=2&flag=true', Util::query(['limit' => 2, 'flag' => true, 'none' => null]));
    }

    public function testBackOffDoublesFromHalfASecondWithJitter(): void
    {
        foreach ([0 => 0.5, 1 => 1.0, 2 => 2.0] as $n => $base) {
            $d = ApiRequestor::backoff($n);
            $this->assertGreaterThanOrEqual($base * 0.75, $d);
            $this->assertLessThanOrEqual($base * 1.25, $d);
        }
    }

    /** @return iterable<string, array{int, class-string}> */
    public static function statuses(): iterable
    {
        yield '400' => [400, Exception\InvalidRequestException::class];
        yield '401' => [401, Exception\AuthenticationException::class];
        yield '403' => [403, Exception\PermissionException::class];
        yield '404' => [404, Exception\NotFoundException::class];
        yield '405' => [405, Exception\InvalidRequestException::class];
        yield '409' => [409, Exception\ConflictException::class];
        yield '413' => [413, Exception\InvalidRequestException::class];
        yield '422' => [422, Exception\InvalidRequestException::class];
        yield '429' => [429, Exception\RateLimitException::class];
        yield '500' => [500, Exception\ApiException::class];
        yield '503' => [503, Exception\ApiException::class];
    }

    /** @dataProvider statuses */
    #[\PHPUnit\Framework\Attributes\DataProvider('statuses')]
    public function testEachStatusHasItsClass(int $status, string $class): void
    {
        $body = '{"ok":false,"error":{"code":"c","message":"m","details":{"fields":{"email":"bad"}}},"request_id":"req_1"}';
        $e = Exception\PaydeskException::fromResponse($status, ['request-id' => 'req_1', 'retry-after' => '7'], $body);
        $this->assertInstanceOf($class, $e);
        $this->assertSame($status, $e->getStatus());
        $this->assertSame('c', $e->getErrorCode());
        $this->assertSame('m', $e->getMessage());
        $this->assertSame('req_1', $e->getRequestId());
        $this->assertSame(['fields' => ['email' => 'bad']], $e->getDetails());
        if ($e instanceof Exception\RateLimitException) {
            $this->assertSame(7.0, $e->getRetryAfter());
        }
    }

    public function testABodyThatIsNoEnvelopeStillGivesAClearError(): void
    {
        $e = Exception\PaydeskException::fromResponse(502, ['request-id' => 'req_h'], '<html>bad gateway</html>');
        $this->assertInstanceOf(Exception\ApiException::class, $e);
        $this->assertSame('req_h', $e->getRequestId());
        $this->assertStringContainsString('502', $e->getMessage());
    }
}
