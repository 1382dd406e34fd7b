<?php

declare(strict_types=1);

namespace Paydesk\Tests;

use Paydesk\Exception\AuthenticationException;
use Paydesk\Exception\InvalidRequestException;
use Paydesk\Exception\PermissionException;
use Paydesk\PaydeskClient;
use Paydesk\Tests\Support\ServerTestCase;

/** Signed requests, the X-API-Key + X-API-Secret pair, publishable keys, version pins. */
final class SigningTest extends ServerTestCase
{
    public function testAKeyThatRequiresSignaturesWorksSigned(): void
    {
        $key = self::server()->newKey(['name' => self::unique('signed'), 'permissions' => '*', 'require_signature' => true]);
        try {
            self::server()->client([], $key->secret_key)->whoami->retrieve();
            $this->fail('an unsigned request was accepted');
        } catch (AuthenticationException $e) {
            $this->assertSame('signature_required', $e->getErrorCode());
        }
        $signed = self::server()->client(['sign_requests' => true], $key->secret_key);
        $this->assertSame($key->id, $signed->whoami->retrieve()->key_id, 'a signed GET');
        $customer = $signed->customers->create(['email' => self::unique('signed') . '@example.test', 'name' => 'Zoë']);
        $this->assertSame('Zoë', $customer->name, 'a signed POST with a non-ASCII body');
        $this->assertSame('Zoë Q', $signed->customers->update($customer->id, ['name' => 'Zoë Q'])->name, 'a signed PATCH');
        $this->assertSame($customer->id, $signed->customers->all(['limit' => 1, 'email' => $customer->email])->first()?->id, 'a signed GET with a query');
    }

    public function testAWrongSignatureIsRefused(): void
    {
        $client = self::client();
        try {
            $client->whoami->retrieve([], ['headers' => ['Paydesk-Signature' => 't=' . (int) (microtime(true) * 1000) . ',v1=' . str_repeat('0', 64)]]);
            $this->fail('a wrong signature was accepted');
        } catch (AuthenticationException $e) {
            $this->assertSame('signature_invalid', $e->getErrorCode());
        }
    }

    public function testThePairAuthenticatesLikeTheSecretKey(): void
    {
        $server = self::server();
        $pair = $server->client(['publishable_key' => $server->publishableKey]);
        $this->assertSame($server->keyId, $pair->whoami->retrieve()->key_id);
        $customer = $pair->customers->create(['email' => self::unique('pair') . '@example.test']);
        $this->assertStringStartsWith('cus_', $customer->id);

        $signed = $server->client(['publishable_key' => $server->publishableKey, 'sign_requests' => true]);
        $this->assertSame($customer->id, $signed->customers->retrieve($customer->id)->id, 'the pair, signed');

        $other = $server->newKey(['name' => self::unique('other'), 'permissions' => '*']);
        try {
            $server->client(['publishable_key' => $other->publishable_key])->whoami->retrieve();
            $this->fail('a pair that does not belong together was accepted');
        } catch (AuthenticationException $e) {
            $this->assertSame(401, $e->getStatus());
        }
    }

    public function testAPublishableKeyReadsPlansOnly(): void
    {
        $server = self::server();
        $plan = self::client()->plans->create(['name' => self::unique('Public'), 'amount' => 900, 'currency' => 'usd', 'interval' => 'month']);
        $public = new PaydeskClient($server->publishableKey, ['base_url' => $server->baseUrl]);
        $this->assertSame($plan->id, $public->plans->retrieve($plan->id)->id);
        $this->assertSame('publishable', $public->whoami->retrieve()->key_type);
        try {
            $public->customers->all();
            $this->fail('a publishable key listed customers');
        } catch (PermissionException $e) {
            $this->assertSame('forbidden', $e->getErrorCode());
        }
    }

    public function testTheVersionPinShapesTheAnswer(): void
    {
        $old = self::client(['api_version' => '2025-06-01']);
        $payment = $old->payments->create(['amount' => 100, 'currency' => 'usd', 'payment_method' => '4242424242424242']);
        $this->assertSame('paid', $payment->status);
        $this->assertSame('2025-06-01', $payment->getLastResponse()->header('Paydesk-Version'));
        $this->assertSame('yes', $payment->getLastResponse()->header('Paydesk-Version-Deprecated'));

        $current = self::client(['api_version' => '2026-05-27']);
        $this->assertSame('succeeded', $current->payments->retrieve($payment->id)->status);
        $this->assertSame('paid', $current->payments->retrieve($payment->id, [], ['api_version' => '2025-06-01'])->status, 'per call');
        try {
            self::client(['api_version' => '1999-01-01'])->whoami->retrieve();
            $this->fail('an unknown version was accepted');
        } catch (InvalidRequestException $e) {
            $this->assertSame('invalid_version', $e->getErrorCode());
            $this->assertContains('2026-05-27', $e->getDetails()['supported']);
        }
    }
}
