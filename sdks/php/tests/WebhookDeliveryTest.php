<?php

declare(strict_types=1);

namespace Paydesk\Tests;

use Paydesk\Exception\SignatureVerificationException;
use Paydesk\Tests\Support\Proxy;
use Paydesk\Tests\Support\ServerTestCase;
use Paydesk\Webhook;

/** Real deliveries from the server to a loopback receiver, verified with constructEvent. */
final class WebhookDeliveryTest extends ServerTestCase
{
    private ?Proxy $receiver = null;

    /** @var list<string> */
    private array $endpoints = [];

    protected function tearDown(): void
    {
        $this->receiver?->stop();
        foreach ($this->endpoints as $id) {
            self::admin()->webhookEndpoints->delete($id);
        }
    }

    public function testADeliveryVerifiesAndATamperedOneDoesNot(): void
    {
        $this->receiver = new Proxy('', array_fill(0, 10, 'ok'));
        $admin = self::admin();
        $endpoint = $admin->webhookEndpoints->create([
            'url' => $this->receiver->url() . '/hooks', 'enabled_events' => ['customer.created'],
        ]);
        $this->endpoints[] = $endpoint->id;
        $customer = self::client()->customers->create(['email' => self::unique('hooked') . '@example.test']);

        $received = $this->receiver->waitFor(1, 20.0);
        $this->assertNotEmpty($received, 'the delivery arrived within 20 s');
        $delivery = $received[0];
        $this->assertSame('POST', $delivery['method']);
        $this->assertSame('/hooks', $delivery['path']);
        $header = $delivery['headers']['paydesk-signature'];

        $event = Webhook::constructEvent($delivery['body'], $header, $endpoint->secret);
        $this->assertSame('customer.created', $event->type);
        $this->assertSame($customer->id, $event->data->object->id);
        $this->assertSame($delivery['headers']['paydesk-event-id'], $event->id);

        try {
            Webhook::constructEvent(str_replace($customer->id, 'cus_forged', $delivery['body']), $header, $endpoint->secret);
            $this->fail('a tampered payload verified');
        } catch (SignatureVerificationException $e) {
            $this->assertSame($header, $e->getSigHeader());
        }
        $this->expectException(SignatureVerificationException::class);
        Webhook::constructEvent($delivery['body'], $header, 'whsec_' . str_repeat('x', 32));
    }

    public function testDuringASecretRollBothSecretsVerify(): void
    {
        $this->receiver = new Proxy('', array_fill(0, 10, 'ok'));
        $admin = self::admin();
        $endpoint = $admin->webhookEndpoints->create(['url' => $this->receiver->url() . '/roll', 'enabled_events' => ['customer.created']]);
        $this->endpoints[] = $endpoint->id;
        $rolled = $admin->webhookEndpoints->rollSecret($endpoint->id, ['grace_period_seconds' => 3600]);
        $admin->webhookEndpoints->test($endpoint->id);

        $received = $this->receiver->waitFor(1, 20.0);
        $this->assertNotEmpty($received, 'the ping arrived within 20 s');
        $header = $received[0]['headers']['paydesk-signature'];
        $this->assertSame(2, substr_count($header, 'v1='), 'the new and the old secret sign it');
        $this->assertSame('ping', Webhook::constructEvent($received[0]['body'], $header, $rolled->secret)->type);
        $this->assertSame('ping', Webhook::constructEvent($received[0]['body'], $header, $endpoint->secret)->type);
    }
}
