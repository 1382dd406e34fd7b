"""Each operation of the API (its ``operationId`` in ``/api/v1/openapi.json``) and the
method that calls it: ``resource.method`` on a :class:`paydesk.Paydesk`.

The rule: the resource is the operation's section (snake_case), the method its verb
(``list``, ``create``, ``retrieve``, ``update``; ``delete`` for every DELETE) or its domain
verb with what follows the resource's name (``rollWebhookEndpointSecret`` →
``roll_secret``, ``cancelSubscriptionAtPeriodEnd`` → ``cancel_at_period_end``). The tests
hold the served document to this table and this table to the methods.
"""

from typing import Dict

OPERATIONS: Dict[str, str] = {
    "listApiKeys": "api_keys.list",
    "createApiKey": "api_keys.create",
    "retrieveApiKey": "api_keys.retrieve",
    "updateApiKey": "api_keys.update",
    "revokeApiKey": "api_keys.delete",
    "suspendApiKey": "api_keys.suspend",
    "reactivateApiKey": "api_keys.reactivate",
    "rollApiKey": "api_keys.roll",
    "retrieveApiKeyUsage": "api_keys.usage",
    "listWebhookEndpoints": "webhook_endpoints.list",
    "createWebhookEndpoint": "webhook_endpoints.create",
    "retrieveWebhookEndpoint": "webhook_endpoints.retrieve",
    "updateWebhookEndpoint": "webhook_endpoints.update",
    "deleteWebhookEndpoint": "webhook_endpoints.delete",
    "rollWebhookEndpointSecret": "webhook_endpoints.roll_secret",
    "testWebhookEndpoint": "webhook_endpoints.test",
    "listWebhookDeliveries": "webhook_deliveries.list",
    "resendWebhookDelivery": "webhook_deliveries.resend",
    "whoami": "whoami.retrieve",
    "createClientSession": "client_sessions.create",
    "updateClientSession": "client_sessions.update",
    "listCustomers": "customers.list",
    "createCustomer": "customers.create",
    "retrieveCustomer": "customers.retrieve",
    "updateCustomer": "customers.update",
    "listPlans": "plans.list",
    "createPlan": "plans.create",
    "retrievePlan": "plans.retrieve",
    "listPayments": "payments.list",
    "createPayment": "payments.create",
    "retrievePayment": "payments.retrieve",
    "refundPayment": "payments.refund",
    "listRefunds": "refunds.list",
    "retrieveRefund": "refunds.retrieve",
    "retrieveBalance": "balance.retrieve",
    "searchSubscriptions": "subscriptions.search",
    "createSubscription": "subscriptions.create",
    "updateSubscriptionByBody": "subscriptions.update_by_body",
    "retrieveSubscription": "subscriptions.retrieve",
    "updateSubscription": "subscriptions.update",
    "cancelSubscription": "subscriptions.cancel",
    "cancelSubscriptionAtPeriodEnd": "subscriptions.cancel_at_period_end",
    "listEvents": "events.list",
    "retrieveEvent": "events.retrieve",
    "listManagementKeys": "management_keys.list",
    "createManagementKey": "management_keys.create",
    "retrieveManagementKey": "management_keys.retrieve",
    "revokeManagementKey": "management_keys.delete",
    "suspendManagementKey": "management_keys.suspend",
    "reactivateManagementKey": "management_keys.reactivate",
    "retrieveKeyPolicy": "key_policy.retrieve",
    "updateKeyPolicy": "key_policy.update",
}

# Operations of the document the library leaves out, and why.
NOT_COVERED: Dict[str, str] = {
    "login": "signing a person in (password, 2FA code) is the dashboard's job; a server "
    "integration holds a key, and a token from login is passed to Paydesk(token)",
    "logout": "the other half of login",
    "reportLeakedKeys": "for secret scanners (GitHub's partner format, no authentication), "
    "not for a merchant's code",
    "retrieveOpenApiDocument": "the document the library is checked against, not an "
    "operation on the merchant's objects",
}
