<?php

declare(strict_types=1);

namespace Paydesk;

/**
 * Every operation of the API (the served `/api/v1/openapi.json`'s operationIds): its
 * HTTP method, its path under `/api/v1`, and the resource and method of the client
 * that call it. The services read their routes from here; a test holds this table to
 * the served document.
 */
final class Operations
{
    /** @var array<string, array{0: string, 1: string, 2: string, 3: string}> */
    public const ALL = [
        // Auth (a user token for api keys, webhook endpoints, management keys, key policy)
        'login' => ['POST', '/auth/login', 'auth', 'login'],
        'logout' => ['POST', '/auth/logout', 'auth', 'logout'],
        'whoami' => ['GET', '/whoami', 'whoami', 'retrieve'],
        // Customers
        'listCustomers' => ['GET', '/customers', 'customers', 'all'],
        'createCustomer' => ['POST', '/customers', 'customers', 'create'],
        'retrieveCustomer' => ['GET', '/customers/{id}', 'customers', 'retrieve'],
        'updateCustomer' => ['PATCH', '/customers/{id}', 'customers', 'update'],
        // Plans
        'listPlans' => ['GET', '/plans', 'plans', 'all'],
        'createPlan' => ['POST', '/plans', 'plans', 'create'],
        'retrievePlan' => ['GET', '/plans/{id}', 'plans', 'retrieve'],
        // Payments
        'listPayments' => ['GET', '/payments', 'payments', 'all'],
        'createPayment' => ['POST', '/payments', 'payments', 'create'],
        'retrievePayment' => ['GET', '/payments/{id}', 'payments', 'retrieve'],
        'refundPayment' => ['POST', '/payments/refund/{id}', 'payments', 'refund'],
        // Refunds
        'listRefunds' => ['GET', '/refunds', 'refunds', 'all'],
        'retrieveRefund' => ['GET', '/refunds/{id}', 'refunds', 'retrieve'],
        // Balance
        'retrieveBalance' => ['GET', '/balance', 'balance', 'retrieve'],
        // Subscriptions
        'searchSubscriptions' => ['GET', '/subscriptions/search', 'subscriptions', 'search'],
        'createSubscription' => ['POST', '/subscriptions', 'subscriptions', 'create'],
        'updateSubscriptionByBody' => ['PATCH', '/subscriptions', 'subscriptions', 'updateByBody'],
        'retrieveSubscription' => ['GET', '/subscriptions/{id}', 'subscriptions', 'retrieve'],
        'updateSubscription' => ['PATCH', '/subscriptions/{id}', 'subscriptions', 'update'],
        'cancelSubscription' => ['POST', '/subscriptions/cancel/{id}', 'subscriptions', 'cancel'],
        'cancelSubscriptionAtPeriodEnd' => ['POST', '/subscriptions/schedule-cancel/{id}', 'subscriptions', 'cancelAtPeriodEnd'],
        // Client sessions
        'createClientSession' => ['POST', '/client-session', 'clientSessions', 'create'],
        'updateClientSession' => ['PATCH', '/client-session/{id}', 'clientSessions', 'update'],
        // Events
        'listEvents' => ['GET', '/events', 'events', 'all'],
        'retrieveEvent' => ['GET', '/events/{id}', 'events', 'retrieve'],
        // API keys (user token or management key)
        'listApiKeys' => ['GET', '/api-keys', 'apiKeys', 'all'],
        'createApiKey' => ['POST', '/api-keys', 'apiKeys', 'create'],
        'retrieveApiKey' => ['GET', '/api-keys/{id}', 'apiKeys', 'retrieve'],
        'updateApiKey' => ['PATCH', '/api-keys/{id}', 'apiKeys', 'update'],
        'revokeApiKey' => ['DELETE', '/api-keys/{id}', 'apiKeys', 'revoke'],
        'suspendApiKey' => ['POST', '/api-keys/{id}/suspend', 'apiKeys', 'suspend'],
        'reactivateApiKey' => ['POST', '/api-keys/{id}/reactivate', 'apiKeys', 'reactivate'],
        'rollApiKey' => ['POST', '/api-keys/{id}/roll', 'apiKeys', 'roll'],
        'retrieveApiKeyUsage' => ['GET', '/api-keys/{id}/usage', 'apiKeys', 'usage'],
        // Webhook endpoints (user token or management key)
        'listWebhookEndpoints' => ['GET', '/webhook-endpoints', 'webhookEndpoints', 'all'],
        'createWebhookEndpoint' => ['POST', '/webhook-endpoints', 'webhookEndpoints', 'create'],
        'retrieveWebhookEndpoint' => ['GET', '/webhook-endpoints/{id}', 'webhookEndpoints', 'retrieve'],
        'updateWebhookEndpoint' => ['PATCH', '/webhook-endpoints/{id}', 'webhookEndpoints', 'update'],
        'deleteWebhookEndpoint' => ['DELETE', '/webhook-endpoints/{id}', 'webhookEndpoints', 'delete'],
        'rollWebhookEndpointSecret' => ['POST', '/webhook-endpoints/{id}/roll-secret', 'webhookEndpoints', 'rollSecret'],
        'testWebhookEndpoint' => ['POST', '/webhook-endpoints/{id}/test', 'webhookEndpoints', 'test'],
        // Webhook deliveries
        'listWebhookDeliveries' => ['GET', '/webhook-endpoints/{id}/deliveries', 'webhookDeliveries', 'all'],
        'resendWebhookDelivery' => ['POST', '/webhook-deliveries/{id}/resend', 'webhookDeliveries', 'resend'],
        // Management keys (SPEC §17; an Admin's user token)
        'listManagementKeys' => ['GET', '/management-keys', 'managementKeys', 'all'],
        'createManagementKey' => ['POST', '/management-keys', 'managementKeys', 'create'],
        'retrieveManagementKey' => ['GET', '/management-keys/{id}', 'managementKeys', 'retrieve'],
        'revokeManagementKey' => ['DELETE', '/management-keys/{id}', 'managementKeys', 'revoke'],
        'suspendManagementKey' => ['POST', '/management-keys/{id}/suspend', 'managementKeys', 'suspend'],
        'reactivateManagementKey' => ['POST', '/management-keys/{id}/reactivate', 'managementKeys', 'reactivate'],
        // Key policy (SPEC §17; an Admin's user token)
        'retrieveKeyPolicy' => ['GET', '/key-policy', 'keyPolicy', 'retrieve'],
        'updateKeyPolicy' => ['PATCH', '/key-policy', 'keyPolicy', 'update'],
    ];

    /**
     * Served operations the library leaves out on purpose, and why.
     *
     * @var array<string, string>
     */
    public const NOT_WRAPPED = [
        'reportLeakedKeys' => 'GitHub secret-scanning partner endpoint (POST /secret-scanning/report): called by the scanner, not by a merchant\'s code',
        'retrieveOpenApiDocument' => 'the API description itself (GET /openapi.json): tooling reads it, it is not an API object; PaydeskClient::rawRequest("GET", "/openapi.json") fetches it',
    ];

    /** @return array{0: string, 1: string, 2: string, 3: string} */
    public static function get(string $operationId): array
    {
        return self::ALL[$operationId]
            ?? throw new \InvalidArgumentException("Unknown Paydesk operation `$operationId`.");
    }
}
