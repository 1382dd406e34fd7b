<?php

declare(strict_types=1);

namespace Paydesk\Tests;

use Paydesk\Operations;
use Paydesk\PaydeskClient;
use Paydesk\Tests\Support\OpenApi;
use Paydesk\Tests\Support\ServerTestCase;

/** The library holds every operation of the served document, at its method and path. */
final class CoverageTest extends ServerTestCase
{
    /**
     * In the library before the server serves them (SPEC §17, built in parallel): they
     * may be absent from the document; once served they are held to it like the rest.
     */
    private const AHEAD_OF_SERVER = [
        'listManagementKeys', 'createManagementKey', 'retrieveManagementKey', 'revokeManagementKey',
        'suspendManagementKey', 'reactivateManagementKey', 'retrieveKeyPolicy', 'updateKeyPolicy',
    ];

    public function testEveryServedOperationIsInTheLibrary(): void
    {
        $served = OpenApi::operations();
        $this->assertGreaterThan(40, count($served), 'the document lists the API');
        $missing = [];
        foreach ($served as $id => [$method, $path]) {
            if (isset(Operations::NOT_WRAPPED[$id])) {
                continue;
            }
            if (!isset(Operations::ALL[$id])) {
                $missing[] = "$id ($method $path)";
                continue;
            }
            [$ourMethod, $ourPath] = Operations::ALL[$id];
            $this->assertSame("$method $path", "$ourMethod $ourPath", "$id is called at its served method and path");
        }
        $this->assertSame([], $missing, 'operations served but missing from Paydesk\Operations::ALL (add them, or to NOT_WRAPPED with the reason)');
    }

    public function testTheDeclaredExceptionsAreServed(): void
    {
        foreach (array_keys(Operations::NOT_WRAPPED) as $id) {
            $this->assertTrue(OpenApi::serves($id), "$id is declared as not wrapped but is not served any more: drop it from NOT_WRAPPED");
        }
    }

    public function testEveryOperationOfTheLibraryIsServedOrAwaited(): void
    {
        foreach (array_keys(Operations::ALL) as $id) {
            $this->assertTrue(
                OpenApi::serves($id) || in_array($id, self::AHEAD_OF_SERVER, true),
                "$id is in the library but not in the served document",
            );
        }
    }

    public function testEveryOperationHasItsMethodOnItsResource(): void
    {
        $client = new PaydeskClient('sk_test_x');
        foreach (Operations::ALL as $id => [, , $resource, $method]) {
            $this->assertTrue(property_exists($client, $resource), "$id: \$client->$resource exists");
            $this->assertTrue(method_exists($client->{$resource}, $method), "$id: \$client->$resource->$method() exists");
        }
    }
}
