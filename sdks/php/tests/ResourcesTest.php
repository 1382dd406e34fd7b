<?php

declare(strict_types=1);

namespace Paydesk\Tests;

use Paydesk\Collection;
use Paydesk\Exception\ConflictException;
use Paydesk\Tests\Support\ServerTestCase;

/** The merchant's objects through a secret key, against the real server. */
final class ResourcesTest extends ServerTestCase
{
    public function testCustomersCreateRetrieveUpdate(): void
    {
        $client = self::client();
        $email = self::unique('ada') . '@example.test';
        $created = $client->customers->create(['email' => $email, 'name' => 'Ada', 'metadata' => ['tier' => 'gold']]);
        $this->assertStringStartsWith('cus_', $created->id);
        $this->assertSame('customer', $created['object']);
        $this->assertSame($email, $created->email);
        $this->assertSame('gold', $created->metadata->tier);
        $this->assertFalse($created->livemode);
        $this->assertMatchesRegularExpression('/^req_/', (string) $created->getLastResponse()->requestId());

        $got = $client->customers->retrieve($created->id);
        $this->assertSame($created->id, $got->id);
        $this->assertSame('Ada', $got->name);

        $updated = $client->customers->update($created->id, ['name' => 'Ada Lovelace']);
        $this->assertSame('Ada Lovelace', $updated->name);
        $this->assertSame($email, $updated->email);
        $this->assertSame('Ada Lovelace', $client->customers->retrieve($created->id)->name);
    }

    public function testListsIterateAcrossPages(): void
    {
        // The list is the merchant's and mode's (other tests add to it): the newest five
        // are these, and walking every page finds each of them once.
        $client = self::client();
        $made = [];
        for ($i = 0; $i < 5; $i++) {
            $made[] = $client->customers->create(['email' => self::unique("page$i") . '@example.test'])->id;
        }
        $page = $client->customers->all(['limit' => 2]);
        $this->assertInstanceOf(Collection::class, $page);
        $this->assertCount(2, $page);
        $this->assertTrue($page->hasMore());
        $this->assertSame(array_reverse(array_slice($made, 3)), array_map(fn ($c) => $c->id, $page->items()), 'newest first');

        $second = $page->nextPage();
        $this->assertSame([$made[2], $made[1]], array_map(fn ($c) => $c->id, $second->items()));

        $seen = [];
        foreach ($client->customers->all(['limit' => 2])->autoPagingIterator() as $customer) {
            $seen[] = $customer->id;
        }
        $this->assertSame(count($seen), count(array_unique($seen)), 'no item twice');
        $this->assertSame([], array_diff($made, $seen), 'every page was walked');
        $this->assertGreaterThanOrEqual(5, count($seen));
    }

    public function testPaymentsRefundsAndBalance(): void
    {
        $client = self::client();
        $customer = $client->customers->create(['email' => self::unique('payer') . '@example.test']);
        $before = self::available($client->balance->retrieve(), 'usd');
        $payment = $client->payments->create([
            'amount' => 4200, 'currency' => 'usd', 'payment_method' => '4242424242424242',
            'customer' => $customer->id, 'metadata' => ['order' => '42'],
        ]);
        $this->assertStringStartsWith('pay_', $payment->id);
        $this->assertSame('succeeded', $payment->status);
        $this->assertSame('************4242', $payment->payment_method);
        $this->assertSame('4242', $payment->payment_method_details->card->last4);
        $this->assertSame($payment->id, $client->payments->retrieve($payment->id)->id);

        $partial = $client->payments->refund($payment->id, ['amount' => 1200]);
        $this->assertStringStartsWith('re_', $partial->id);
        $this->assertSame(1200, $partial->amount);
        $this->assertSame($payment->id, $partial->payment);
        $rest = $client->payments->refund($payment->id);
        $this->assertSame(3000, $rest->amount, 'the default refund is what remains');
        $this->assertSame(4200, $client->payments->retrieve($payment->id)->amount_refunded);

        $this->assertSame($partial->id, $client->refunds->retrieve($partial->id)->id);
        $refunds = array_map(fn ($r) => $r->id, $client->refunds->all(['limit' => 2])->items());
        $this->assertSame([$rest->id, $partial->id], $refunds);
        $this->assertContains($payment->id, array_map(fn ($p) => $p->id, $client->payments->all(['limit' => 5])->items()));
        $this->assertSame($before, self::available($client->balance->retrieve(), 'usd'), 'paid and fully refunded');

        $declined = $client->payments->create(['amount' => 500, 'currency' => 'usd', 'payment_method' => '4000000000000002']);
        $this->assertSame('failed', $declined->status);
        $this->assertSame('card_declined', $declined->failure_code);
        try {
            $client->payments->refund($declined->id);
            $this->fail('a failed payment was refunded');
        } catch (ConflictException $e) {
            $this->assertSame(409, $e->getStatus());
            $this->assertSame('invalid_state', $e->getErrorCode());
            $this->assertMatchesRegularExpression('/^req_/', (string) $e->getRequestId());
        }
    }

    public function testPlansSubscriptionsAndCancellation(): void
    {
        $client = self::client();
        $plan = $client->plans->create(['name' => self::unique('Pro'), 'amount' => 1500, 'currency' => 'usd', 'interval' => 'month']);
        $this->assertStringStartsWith('plan_', $plan->id);
        $this->assertSame($plan->name, $client->plans->retrieve($plan->id)->name);
        $this->assertContains($plan->id, array_map(fn ($p) => $p->id, $client->plans->all(['limit' => 100])->items()));
        $yearly = $client->plans->create(['name' => self::unique('Pro yearly'), 'amount' => 15000, 'currency' => 'usd', 'interval' => 'year']);

        $customer = $client->customers->create(['email' => self::unique('sub') . '@example.test']);
        $sub = $client->subscriptions->create(['customer' => $customer->id, 'plan' => $plan->id]);
        $this->assertStringStartsWith('sub_', $sub->id);
        $this->assertSame('active', $sub->status);
        $this->assertSame($sub->id, $client->subscriptions->retrieve($sub->id)->id);

        $found = $client->subscriptions->search(['customer' => $customer->id]);
        $this->assertSame([$sub->id], array_map(fn ($s) => $s->id, iterator_to_array($found->autoPagingIterator(), false)));

        $this->assertSame($yearly->id, $client->subscriptions->update($sub->id, ['plan' => $yearly->id])->plan);
        $this->assertSame($plan->id, $client->subscriptions->updateByBody(['id' => $sub->id, 'plan' => $plan->id])->plan);

        $scheduled = $client->subscriptions->cancelAtPeriodEnd($sub->id);
        $this->assertTrue($scheduled->cancel_at_period_end);
        $canceled = $client->subscriptions->cancel($sub->id);
        $this->assertSame('canceled', $canceled->status);
        $this->assertSame([$sub->id], array_map(
            fn ($s) => $s->id,
            $client->subscriptions->search(['customer' => $customer->id, 'status' => 'canceled'])->items(),
        ));
    }

    public function testClientSessionsEventsAndWhoami(): void
    {
        $client = self::client();
        $session = $client->clientSessions->create(['amount' => 500, 'currency' => 'usd']);
        $this->assertStringStartsWith('cs_', $session->id);
        $this->assertNotEmpty($session->client_token);
        $this->assertSame(700, $client->clientSessions->update($session->id, ['amount' => 700])->amount);

        $customer = $client->customers->create(['email' => self::unique('evt') . '@example.test']);
        $events = $client->events->all(['type' => 'customer.created', 'limit' => 10]);
        $event = null;
        foreach ($events->autoPagingIterator() as $e) {
            if ($e->data->object->id === $customer->id) {
                $event = $e;
                break;
            }
        }
        $this->assertNotNull($event, 'the customer.created event is listed');
        $this->assertSame('customer.created', $client->events->retrieve($event->id)->type);

        $me = $client->whoami->retrieve();
        $this->assertSame(self::server()->keyId, $me->key_id);
        $this->assertSame('test', $me->mode);
    }

    private static function available(\Paydesk\PaydeskObject $balance, string $currency): int
    {
        foreach ($balance->available ?? [] as $entry) {
            if ($entry->currency === $currency) {
                return $entry->amount;
            }
        }
        return 0;
    }
}
