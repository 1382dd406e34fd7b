<?php

declare(strict_types=1);

namespace Paydesk\Tests;

use Paydesk\Exception\ApiConnectionException;
use Paydesk\Exception\AuthenticationException;
use Paydesk\Exception\InvalidRequestException;
use Paydesk\Exception\NotFoundException;
use Paydesk\Exception\PaydeskException;
use Paydesk\Exception\PermissionException;
use Paydesk\Exception\RateLimitException;
use Paydesk\PaydeskClient;
use Paydesk\Tests\Support\Proxy;
use Paydesk\Tests\Support\Server;
use Paydesk\Tests\Support\ServerTestCase;

/** Each kind of failure is its class, with the server's status, code and request id. */
final class ErrorsTest extends ServerTestCase
{
    private static function assertError(PaydeskException $e, string $class, int $status, string $code): void
    {
        self::assertInstanceOf($class, $e);
        self::assertSame($status, $e->getStatus());
        self::assertSame($code, $e->getErrorCode(), $e->getMessage());
        self::assertMatchesRegularExpression('/^req_[0-9A-Za-z]+$/', (string) $e->getRequestId());
        self::assertSame($e->getHttpHeaders()['request-id'] ?? null, $e->getRequestId());
        self::assertNotSame('', $e->getMessage());
    }

    public function testAnUnknownKeyIsAnAuthenticationError(): void
    {
        $bad = self::server()->client([], 'sk_test_' . str_repeat('A', 38));
        try {
            $bad->customers->all();
            $this->fail('an unknown key was accepted');
        } catch (PaydeskException $e) {
            self::assertError($e, AuthenticationException::class, 401, 'invalid_api_key');
        }
        try {
            (new PaydeskClient(null, ['base_url' => self::server()->baseUrl]))->customers->all();
            $this->fail('no key was accepted');
        } catch (PaydeskException $e) {
            self::assertError($e, AuthenticationException::class, 401, 'missing_authorization');
        }
    }

    public function testAnUnknownObjectIsNotFound(): void
    {
        try {
            self::client()->customers->retrieve('cus_doesnotexist0000000000');
            $this->fail('an unknown customer was found');
        } catch (PaydeskException $e) {
            self::assertError($e, NotFoundException::class, 404, 'not_found');
        }
    }

    public function testBadFieldsAreAnInvalidRequestNamingThem(): void
    {
        try {
            self::client()->payments->create(['amount' => -5, 'currency' => 'usd', 'payment_method' => '4242424242424242']);
            $this->fail('a negative amount was accepted');
        } catch (PaydeskException $e) {
            self::assertError($e, InvalidRequestException::class, 400, 'invalid_request');
            $this->assertArrayHasKey('amount', $e->getDetails()['fields']);
        }
        try {
            self::client()->customers->create(['email' => 'x@example.test', 'nickname' => 'no such field']);
            $this->fail('an unknown field was accepted');
        } catch (PaydeskException $e) {
            self::assertError($e, InvalidRequestException::class, 400, 'invalid_request');
        }
    }

    public function testAMissingScopeIsAPermissionErrorNamingIt(): void
    {
        $key = self::server()->newKey(['name' => self::unique('read only'), 'permissions' => ['customers' => 'read']]);
        $client = self::server()->client([], $key->secret_key);
        $this->assertInstanceOf(\Paydesk\Collection::class, $client->customers->all(['limit' => 1]));
        try {
            $client->customers->create(['email' => 'x@example.test']);
            $this->fail('a read key created a customer');
        } catch (PaydeskException $e) {
            self::assertError($e, PermissionException::class, 403, 'insufficient_scope');
            $this->assertSame('customers:write', $e->getDetails()['required_scope']);
        }
    }

    public function testAnIdempotencyKeyReusedForAnotherRequestIsRefused(): void
    {
        $client = self::client();
        $key = self::unique('idem');
        $first = $client->customers->create(['email' => "$key@example.test"], ['idempotency_key' => $key]);
        $again = $client->customers->create(['email' => "$key@example.test"], ['idempotency_key' => $key]);
        $this->assertSame($first->id, $again->id, 'the same request is answered again');
        $this->assertSame('true', $again->getLastResponse()->header('Idempotent-Replayed'));
        try {
            $client->customers->create(['email' => "other-$key@example.test"], ['idempotency_key' => $key]);
            $this->fail('a reused idempotency key was accepted');
        } catch (PaydeskException $e) {
            self::assertError($e, InvalidRequestException::class, 422, 'idempotency_key_reused');
        }
    }

    public function testTheRateLimitIsARateLimitErrorWithRetryAfter(): void
    {
        $key = self::server()->newKey(['name' => self::unique('slow'), 'permissions' => '*', 'rate_limit' => 1]);
        // No retries: the server's Retry-After is the rest of its minute.
        $client = self::server()->client(['max_retries' => 0], $key->secret_key);
        $client->whoami->retrieve();
        try {
            $client->whoami->retrieve();
            $this->fail('a second request within the minute was admitted at rate_limit 1');
        } catch (PaydeskException $e) {
            self::assertError($e, RateLimitException::class, 429, 'rate_limited');
            $this->assertGreaterThan(0.0, $e->getRetryAfter());
            $this->assertLessThanOrEqual(60.0, $e->getRetryAfter());
        }
    }

    public function testNoAnswerIsAConnectionError(): void
    {
        $client = new PaydeskClient('sk_test_x', ['base_url' => 'http://127.0.0.1:' . Server::freePort(), 'max_retries' => 0]);
        try {
            $client->customers->all();
            $this->fail('a closed port answered');
        } catch (ApiConnectionException $e) {
            $this->assertNull($e->getStatus());
            $this->assertStringContainsString('Could not reach Paydesk', $e->getMessage());
        }
    }

    public function testATimeoutIsAConnectionError(): void
    {
        $proxy = new Proxy(self::server()->baseUrl, ['hang']);
        try {
            self::client(['base_url' => $proxy->url(), 'timeout' => 0.3, 'max_retries' => 0])->whoami->retrieve();
            $this->fail('a request without an answer did not time out');
        } catch (ApiConnectionException $e) {
            $this->assertStringContainsString('curl error 28', $e->getMessage());
        } finally {
            $proxy->stop();
        }
    }

    public function testAUserTokenRouteRefusesASecretKey(): void
    {
        try {
            self::client()->apiKeys->all();
            $this->fail('a secret key listed api keys');
        } catch (PaydeskException $e) {
            self::assertError($e, AuthenticationException::class, 401, 'invalid_token');
        }
    }
}
