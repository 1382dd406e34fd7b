<?php

declare(strict_types=1);

namespace Paydesk\Tests;

use Paydesk\Exception\ApiConnectionException;
use Paydesk\Exception\ApiException;
use Paydesk\Tests\Support\Proxy;
use Paydesk\Tests\Support\ServerTestCase;

/**
 * Retries through a loopback proxy that fails the first attempts: every attempt of one
 * call carries the same Idempotency-Key, so a retried POST makes one object.
 */
final class RetryTest extends ServerTestCase
{
    private const UUID4 = '/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/';

    /** @var list<Proxy> */
    private array $proxies = [];

    protected function tearDown(): void
    {
        foreach ($this->proxies as $p) {
            $p->stop();
        }
    }

    /** @param list<string> $plan */
    private function proxy(array $plan): Proxy
    {
        return $this->proxies[] = new Proxy(self::server()->baseUrl, $plan);
    }

    /** @return list<string|null> each attempt's Idempotency-Key */
    private static function keys(Proxy $proxy): array
    {
        return array_map(fn ($r) => $r['headers']['idempotency-key'] ?? null, $proxy->requests());
    }

    public function testA503IsRetriedWithTheSameIdempotencyKey(): void
    {
        $proxy = $this->proxy(['503']);
        $client = self::client(['base_url' => $proxy->url()]);
        $email = self::unique('retry503') . '@example.test';
        $customer = $client->customers->create(['email' => $email]);
        $this->assertSame($email, $customer->email);
        $keys = self::keys($proxy);
        $this->assertCount(2, $keys, 'one failed attempt, one retry');
        $this->assertMatchesRegularExpression(self::UUID4, (string) $keys[0]);
        $this->assertSame($keys[0], $keys[1]);
        $this->assertSame(['503', 'forward'], array_column($proxy->requests(), 'action'));
    }

    public function testADroppedConnectionIsRetriedWithTheSameIdempotencyKey(): void
    {
        $proxy = $this->proxy(['drop']);
        $client = self::client(['base_url' => $proxy->url()]);
        $customer = $client->customers->create(['email' => self::unique('retrydrop') . '@example.test']);
        $this->assertStringStartsWith('cus_', $customer->id);
        $keys = self::keys($proxy);
        $this->assertCount(2, $keys);
        $this->assertSame($keys[0], $keys[1]);
    }

    public function testAnAnswerLostAfterTheServerActedIsReplayedNotRepeated(): void
    {
        // The first attempt reaches the server and makes the customer; its answer is lost.
        $proxy = $this->proxy(['forward-drop']);
        $client = self::client(['base_url' => $proxy->url()]);
        $email = self::unique('retrylost') . '@example.test';
        $customer = $client->customers->create(['email' => $email]);
        $this->assertSame('true', $customer->getLastResponse()->header('Idempotent-Replayed'), 'the retry was answered from the stored response');
        $keys = self::keys($proxy);
        $this->assertCount(2, $keys);
        $this->assertSame($keys[0], $keys[1]);
        $same = array_filter(
            iterator_to_array(self::client()->customers->all(['limit' => 20])->autoPagingIterator(), false),
            fn ($c) => $c->email === $email,
        );
        $this->assertCount(1, $same, 'one customer, not two');
        $this->assertSame($customer->id, array_values($same)[0]->id);
    }

    public function testRetriesStopAtMaxRetries(): void
    {
        $proxy = $this->proxy(['503', '503', '503', '503']);
        $client = self::client(['base_url' => $proxy->url(), 'max_retries' => 1]);
        try {
            $client->customers->create(['email' => self::unique('retrymax') . '@example.test']);
            $this->fail('a 503 after the last retry was not raised');
        } catch (ApiException $e) {
            $this->assertSame(503, $e->getStatus());
            $this->assertSame('req_proxy', $e->getRequestId());
        }
        $keys = self::keys($proxy);
        $this->assertCount(2, $keys, 'the first attempt and max_retries = 1 retry');
        $this->assertSame($keys[0], $keys[1]);
    }

    public function testTheDefaultIsTwoRetries(): void
    {
        $proxy = $this->proxy(['drop', 'drop', 'drop']);
        $client = self::client(['base_url' => $proxy->url()]);
        try {
            $client->customers->create(['email' => self::unique('retry2') . '@example.test']);
            $this->fail('three dropped attempts were not raised');
        } catch (ApiConnectionException $e) {
            $this->assertNull($e->getStatus());
        }
        $keys = self::keys($proxy);
        $this->assertCount(3, $keys);
        $this->assertCount(1, array_unique($keys));
    }

    public function testEachCallHasItsOwnKeyAndGetsHaveNone(): void
    {
        $proxy = $this->proxy(['503']);
        $client = self::client(['base_url' => $proxy->url()]);
        $this->assertSame(self::server()->keyId, $client->whoami->retrieve()->key_id);
        $client->customers->create(['email' => self::unique('k1') . '@example.test']);
        $client->customers->create(['email' => self::unique('k2') . '@example.test']);
        $client->customers->create(['email' => self::unique('k3') . '@example.test'], ['idempotency_key' => 'mine-' . self::unique('k')]);
        $requests = $proxy->requests();
        $this->assertSame(['GET', 'GET', 'POST', 'POST', 'POST'], array_column($requests, 'method'), 'the GET was retried too');
        $keys = self::keys($proxy);
        $this->assertNull($keys[0]);
        $this->assertNull($keys[1]);
        $this->assertNotSame($keys[2], $keys[3]);
        $this->assertStringStartsWith('mine-', (string) $keys[4]);
    }
}
