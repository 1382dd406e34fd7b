//! The reference's sections: one tag per resource, named on each route table entry. The
//! OpenAPI document lists them (with these descriptions) in this order, and `/docs/api`
//! uses them as its headings and its table of contents.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tag {
    Auth,
    ApiKeys,
    WebhookEndpoints,
    WebhookDeliveries,
    ManagementKeys,
    Customers,
    Payments,
    Refunds,
    Balance,
    Plans,
    Subscriptions,
    ClientSessions,
    Events,
    SecretScanning,
    OpenApi,
}

impl Tag {
    /// Every tag, in the reference's order: sign-in and keys first, as in the route table.
    pub const ALL: &[Tag] = &[
        Tag::Auth,
        Tag::ApiKeys,
        Tag::WebhookEndpoints,
        Tag::WebhookDeliveries,
        Tag::ManagementKeys,
        Tag::Customers,
        Tag::Payments,
        Tag::Refunds,
        Tag::Balance,
        Tag::Plans,
        Tag::Subscriptions,
        Tag::ClientSessions,
        Tag::Events,
        Tag::SecretScanning,
        Tag::OpenApi,
    ];

    /// The tag's name in the document and the heading on the page.
    pub fn name(self) -> &'static str {
        match self {
            Tag::Auth => "Auth",
            Tag::ApiKeys => "API keys",
            Tag::WebhookEndpoints => "Webhook endpoints",
            Tag::WebhookDeliveries => "Webhook deliveries",
            Tag::ManagementKeys => "Management keys",
            Tag::Customers => "Customers",
            Tag::Payments => "Payments",
            Tag::Refunds => "Refunds",
            Tag::Balance => "Balance",
            Tag::Plans => "Plans",
            Tag::Subscriptions => "Subscriptions",
            Tag::ClientSessions => "Client sessions",
            Tag::Events => "Events",
            Tag::SecretScanning => "Secret scanning",
            Tag::OpenApi => "OpenAPI",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            Tag::Auth => {
                "Sign in with an email and password for a user token (the key-management API takes one), sign out, and ask which API key a request carries."
            }
            Tag::ApiKeys => {
                "Create, edit, suspend, roll and revoke API keys, and read their usage. With a user token (Admin or Developer)."
            }
            Tag::WebhookEndpoints => {
                "The URLs Paydesk posts events to, the events each one takes, and their signing secrets. With a user token."
            }
            Tag::WebhookDeliveries => {
                "Each event's delivery to an endpoint and how it went; a delivery can be sent again. With a user token."
            }
            Tag::ManagementKeys => {
                "Keys for machines (`mk_…`): a deploy pipeline manages API keys and webhook endpoints with one, within its scopes, as a Developer would. Made, listed, suspended and revoked with an Admin's user token."
            }
            Tag::Customers => "The people and companies that pay you.",
            Tag::Payments => "Charges to a card (test cards in test mode), and their refunds.",
            Tag::Refunds => "Money given back on a succeeded payment, in part or in full.",
            Tag::Balance => "The money available to the merchant, per currency.",
            Tag::Plans => "Prices charged every period; a publishable key may read them.",
            Tag::Subscriptions => "A customer on a plan, charged every period until canceled.",
            Tag::ClientSessions => {
                "An amount to collect, with a `client_token` a front end uses; open until it expires."
            }
            Tag::Events => "What happened, newest first: the same objects webhooks deliver.",
            Tag::SecretScanning => {
                "Leaked keys reported in GitHub's secret-scanning partner format; our secret keys among them are revoked at once."
            }
            Tag::OpenApi => "This document.",
        }
    }
}
