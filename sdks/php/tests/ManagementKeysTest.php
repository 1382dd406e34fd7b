<?php

declare(strict_types=1);

namespace Paydesk\Tests;

use Paydesk\Exception\InvalidRequestException;
use Paydesk\PaydeskClient;
use Paydesk\Tests\Support\OpenApi;
use Paydesk\Tests\Support\ServerTestCase;

/**
 * Management keys and the key policy (SPEC §17). They run once the server serves them
 * (they are built in parallel with this library); until then they are skipped.
 */
final class ManagementKeysTest extends ServerTestCase
{
    public function testAManagementKeysLife(): void
    {
        if (!OpenApi::serves('createManagementKey')) {
            $this->markTestSkipped('this server does not serve management keys yet (SPEC §17)');
        }
        $admin = self::admin();
        $mk = $admin->managementKeys->create([
            'name' => self::unique('machine'), 'scopes' => ['api_keys:read', 'webhook_endpoints:read'],
            'expires_in_days' => 30,
        ]);
        $this->assertStringStartsWith('mk_', $mk->secret);
        $this->assertSame($mk->id, $admin->managementKeys->retrieve($mk->id)->id);
        $this->assertContains($mk->id, array_map(fn ($k) => $k->id, iterator_to_array($admin->managementKeys->all()->autoPagingIterator(), false)));

        $machine = new PaydeskClient($mk->secret, ['base_url' => self::server()->baseUrl]);
        $this->assertInstanceOf(\Paydesk\Collection::class, $machine->apiKeys->all(['limit' => 1]), 'a management key reads api keys');

        $this->assertSame('suspended', $admin->managementKeys->suspend($mk->id)->status);
        $this->assertSame('active', $admin->managementKeys->reactivate($mk->id)->status);
        $admin->managementKeys->revoke($mk->id);
        $this->assertSame('revoked', $admin->managementKeys->retrieve($mk->id)->status);

        try {
            $admin->managementKeys->create(['name' => self::unique('too long'), 'scopes' => ['api_keys:read'], 'expires_in_days' => 91]);
            $this->fail('an expiry over 90 days was accepted');
        } catch (InvalidRequestException $e) {
            $this->assertArrayHasKey('expires_in_days', $e->getDetails()['fields'] ?? []);
        }
    }

    public function testTheKeyPolicy(): void
    {
        if (!OpenApi::serves('retrieveKeyPolicy')) {
            $this->markTestSkipped('this server does not serve the key policy yet (SPEC §17)');
        }
        $admin = self::admin();
        $policy = $admin->keyPolicy->retrieve();
        $this->assertInstanceOf(\Paydesk\PaydeskObject::class, $policy);
        $tighter = $admin->keyPolicy->update(['live_require_signature' => true]);
        $this->assertTrue($tighter->live_require_signature);
        $this->assertTrue($admin->keyPolicy->retrieve()->live_require_signature);
        $back = $admin->keyPolicy->update(['live_require_signature' => false]);
        $this->assertFalse($back->live_require_signature);
    }
}
