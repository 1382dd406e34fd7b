<?php

declare(strict_types=1);

namespace Paydesk\Tests;

use Paydesk\Exception\AuthenticationException;
use Paydesk\Exception\PermissionException;
use Paydesk\PaydeskClient;
use Paydesk\Tests\Support\Server;
use Paydesk\Tests\Support\ServerTestCase;

/** API keys and webhook endpoints with a user token (the same client class). */
final class KeyManagementTest extends ServerTestCase
{
    public function testAnApiKeysLife(): void
    {
        $admin = self::admin();
        $key = $admin->apiKeys->create([
            'name' => self::unique('life'), 'mode' => 'test',
            'permissions' => ['customers' => 'write', 'events' => 'read'], 'rate_limit' => 500,
        ]);
        $this->assertStringStartsWith('key_', $key->id);
        $this->assertStringStartsWith('sk_test_', $key->secret_key);
        $this->assertSame('no-store', $key->getLastResponse()->header('Cache-Control'));
        $own = self::server()->client([], $key->secret_key);
        $this->assertSame($key->id, $own->whoami->retrieve()->key_id);

        $got = $admin->apiKeys->retrieve($key->id);
        $this->assertNull($got->secret_key, 'the secret is shown once');
        $this->assertSame('write', $got->permissions->customers);
        $this->assertContains($key->id, array_map(fn ($k) => $k->id, iterator_to_array($admin->apiKeys->all(['limit' => 2])->autoPagingIterator(), false)));

        $this->assertSame('renamed', $admin->apiKeys->update($key->id, ['name' => 'renamed', 'rate_limit' => 400])->name);

        $this->assertSame('suspended', $admin->apiKeys->suspend($key->id)->status);
        try {
            $own->whoami->retrieve();
            $this->fail('a suspended key was accepted');
        } catch (PermissionException $e) {
            $this->assertSame('api_key_suspended', $e->getErrorCode());
        }
        $this->assertSame('active', $admin->apiKeys->reactivate($key->id)->status);
        $this->assertSame($key->id, $own->whoami->retrieve()->key_id);

        $usage = $admin->apiKeys->usage($key->id, ['period' => '24h']);
        $this->assertInstanceOf(\Paydesk\PaydeskObject::class, $usage);

        $rolled = $admin->apiKeys->roll($key->id, ['grace_period_seconds' => 0]);
        $this->assertStringStartsWith('sk_test_', $rolled->secret_key);
        $this->assertNotSame($key->secret_key, $rolled->secret_key);
        $new = self::server()->client([], $rolled->secret_key);
        $this->assertSame($rolled->id, $new->whoami->retrieve()->key_id);

        $this->assertSame('revoked', $admin->apiKeys->delete($rolled->id)->status);
        try {
            $new->whoami->retrieve();
            $this->fail('a revoked key was accepted');
        } catch (AuthenticationException $e) {
            $this->assertSame('invalid_api_key', $e->getErrorCode());
        }
    }

    public function testWebhookEndpointsAndDeliveries(): void
    {
        $admin = self::admin();
        $endpoint = $admin->webhookEndpoints->create([
            'url' => 'http://127.0.0.1:9/' . self::unique('hook'), 'description' => 'php sdk',
            'enabled_events' => ['customer.created'],
        ]);
        $this->assertStringStartsWith('we_', $endpoint->id);
        $this->assertStringStartsWith('whsec_', $endpoint->secret);
        $this->assertSame(['customer.created'], $admin->webhookEndpoints->retrieve($endpoint->id)->enabled_events);
        $this->assertContains($endpoint->id, array_map(fn ($e) => $e->id, iterator_to_array($admin->webhookEndpoints->all()->autoPagingIterator(), false)));
        $this->assertSame('changed', $admin->webhookEndpoints->update($endpoint->id, ['description' => 'changed'])->description);

        $rolled = $admin->webhookEndpoints->rollSecret($endpoint->id, ['grace_period_seconds' => 3600]);
        $this->assertStringStartsWith('whsec_', $rolled->secret);
        $this->assertNotSame($endpoint->secret, $rolled->secret);

        $delivery = $admin->webhookEndpoints->test($endpoint->id);
        $this->assertStringStartsWith('whd_', $delivery->id);
        $listed = $admin->webhookDeliveries->all($endpoint->id, ['limit' => 10]);
        $this->assertContains($delivery->id, array_map(fn ($d) => $d->id, $listed->items()));
        $again = $admin->webhookDeliveries->resend($delivery->id);
        $this->assertStringStartsWith('whd_', $again->id);

        $admin->webhookEndpoints->delete($endpoint->id);
        $this->expectException(\Paydesk\Exception\NotFoundException::class);
        $admin->webhookEndpoints->retrieve($endpoint->id);
    }

    public function testSignInAndOut(): void
    {
        $anonymous = new PaydeskClient(null, ['base_url' => self::server()->baseUrl]);
        $login = $anonymous->auth->login(['email' => Server::EMAIL, 'password' => Server::PASSWORD]);
        $this->assertSame('Bearer', $login->token_type);
        $user = new PaydeskClient($login->token, ['base_url' => self::server()->baseUrl]);
        $this->assertInstanceOf(\Paydesk\Collection::class, $user->apiKeys->all(['limit' => 1]));
        $user->auth->logout();
        try {
            $user->apiKeys->all(['limit' => 1]);
            $this->fail('a revoked token was accepted');
        } catch (AuthenticationException $e) {
            $this->assertSame('invalid_token', $e->getErrorCode());
        }
        try {
            $anonymous->auth->login(['email' => Server::EMAIL, 'password' => 'wrong-password-123']);
            $this->fail('a wrong password signed in');
        } catch (AuthenticationException $e) {
            $this->assertSame('invalid_credentials', $e->getErrorCode());
        }
    }
}
