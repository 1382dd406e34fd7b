<?php

declare(strict_types=1);

namespace Paydesk;


/**
 * The client: one per key (a secret key `sk_…`, a publishable key `pk_…` for plans and
 * whoami, a user token or a management key for the key-management API).
 *
 *     $client = new \Paydesk\PaydeskClient('sk_test_…', ['base_url' => 'http://127.0.0.1:8080']);
 *     $customer = $client->customers->create(['email' => 'ada@example.com']);
 *
 * Options: `base_url` (the server's origin; default http://127.0.0.1:8080),
 * `api_version` (a `Paydesk-Version` pin such as `2026-05-27`), `max_retries` (default 2),
 * `timeout` and `connect_timeout` (seconds; 30 and 10), `sign_requests` (sign every
 * request with the secret key: `Paydesk-Signature`), `publishable_key` (send the pair
 * `X-API-Key: pk_…` + `X-API-Secret: sk_…` instead of `Authorization: Bearer`).
 */
final class PaydeskClient
{
    public const VERSION = '0.1.0';
    public const DEFAULT_BASE_URL = 'http://127.0.0.1:8080';

    private const OPTIONS = [
        'base_url', 'api_version', 'max_retries', 'timeout', 'connect_timeout', 'sign_requests', 'publishable_key',
    ];

    public readonly Service\AuthService $auth;
    public readonly Service\WhoamiService $whoami;
    public readonly Service\CustomerService $customers;
    public readonly Service\PaymentService $payments;
    public readonly Service\RefundService $refunds;
    public readonly Service\PlanService $plans;
    public readonly Service\SubscriptionService $subscriptions;
    public readonly Service\ClientSessionService $clientSessions;
    public readonly Service\BalanceService $balance;
    public readonly Service\EventService $events;
    public readonly Service\WebhookEndpointService $webhookEndpoints;
    public readonly Service\WebhookDeliveryService $webhookDeliveries;
    public readonly Service\ApiKeyService $apiKeys;
    public readonly Service\ManagementKeyService $managementKeys;
    public readonly Service\KeyPolicyService $keyPolicy;

    private readonly ApiRequestor $requestor;

    /**
     * @param string|null          $apiKey  null only to sign in (`$client->auth->login`)
     * @param array<string, mixed> $options see the class comment
     */
    public function __construct(?string $apiKey = null, array $options = [])
    {
        $unknown = array_diff(array_keys($options), self::OPTIONS);
        if ($unknown !== []) {
            throw new \InvalidArgumentException(sprintf(
                'Unknown Paydesk client option(s) %s; known: %s.',
                implode(', ', $unknown),
                implode(', ', self::OPTIONS),
            ));
        }
        if ($apiKey !== null && ($apiKey === '' || preg_match('/\s/', $apiKey) === 1)) {
            throw new \InvalidArgumentException('The API key must be a non-empty string without spaces (sk_…, pk_…, mk_… or a user token).');
        }
        $baseUrl = (string) ($options['base_url'] ?? self::DEFAULT_BASE_URL);
        if (!preg_match('#^https?://[^/\s]+#', $baseUrl)) {
            throw new \InvalidArgumentException("base_url must be an http:// or https:// URL, not `$baseUrl`.");
        }
        $maxRetries = $options['max_retries'] ?? 2;
        if (!is_int($maxRetries) || $maxRetries < 0) {
            throw new \InvalidArgumentException('max_retries must be an integer of 0 or more.');
        }
        $version = $options['api_version'] ?? null;
        if ($version !== null && !is_string($version)) {
            throw new \InvalidArgumentException('api_version must be a string such as "2026-05-27".');
        }
        $publishable = $options['publishable_key'] ?? null;
        if ($publishable !== null && !str_starts_with((string) $publishable, 'pk_')) {
            throw new \InvalidArgumentException('publishable_key must be a publishable key (pk_…); the secret key is the first argument.');
        }
        $sign = (bool) ($options['sign_requests'] ?? false);
        if ($sign && ($apiKey === null || !str_starts_with($apiKey, 'sk_'))) {
            throw new \InvalidArgumentException('sign_requests signs with the secret key: give an sk_… key.');
        }
        $this->requestor = new ApiRequestor(
            $apiKey,
            rtrim($baseUrl, '/'),
            $version,
            $maxRetries,
            (float) ($options['timeout'] ?? 30.0),
            (float) ($options['connect_timeout'] ?? 10.0),
            $sign,
            $publishable,
        );
        $r = $this->requestor;
        $this->auth = new Service\AuthService($r);
        $this->whoami = new Service\WhoamiService($r);
        $this->customers = new Service\CustomerService($r);
        $this->payments = new Service\PaymentService($r);
        $this->refunds = new Service\RefundService($r);
        $this->plans = new Service\PlanService($r);
        $this->subscriptions = new Service\SubscriptionService($r);
        $this->clientSessions = new Service\ClientSessionService($r);
        $this->balance = new Service\BalanceService($r);
        $this->events = new Service\EventService($r);
        $this->webhookEndpoints = new Service\WebhookEndpointService($r);
        $this->webhookDeliveries = new Service\WebhookDeliveryService($r);
        $this->apiKeys = new Service\ApiKeyService($r);
        $this->managementKeys = new Service\ManagementKeyService($r);
        $this->keyPolicy = new Service\KeyPolicyService($r);
    }

    /**
     * Any call under `/api/v1` with this client's credentials, retries and idempotency;
     * the raw answer (errors still raise).
     *
     * @param array<string, mixed> $params
     * @param array<string, mixed> $opts
     * @throws Exception\PaydeskException
     */
    public function rawRequest(string $method, string $path, array $params = [], array $opts = []): PaydeskResponse
    {
        return $this->requestor->request($method, $path, $params, $opts);
    }

    /**
     * Like rawRequest(), answering the envelope's `data` as an object.
     *
     * @param array<string, mixed> $params
     * @param array<string, mixed> $opts
     * @throws Exception\PaydeskException
     */
    public function request(string $method, string $path, array $params = [], array $opts = []): PaydeskObject
    {
        return ApiRequestor::decode($this->requestor->request($method, $path, $params, $opts));
    }
}
