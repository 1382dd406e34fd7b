//! The Webhooks pages (SPEC §9, §14): the endpoint list; the create and edit forms with
//! the event picker (the create's answer shows the signing secret once); an endpoint's
//! page with its delivery log and the Resend, Send test event, Roll secret,
//! Disable/Enable and Delete actions; a delivery's page with its attempts. A thin edge
//! over `webhooks::endpoints`, like the API's. One file per page or concern.

mod actions;
mod create;
mod delivery;
mod detail;
mod edit;
mod form;
mod list;
mod view;

pub use actions::{
    confirm_delete, delete_endpoint, disable_endpoint, enable_endpoint, resend_delivery,
    roll_secret, test_endpoint,
};
pub use create::{create_endpoint, new_endpoint};
pub use delivery::show_delivery;
pub use detail::show_endpoint;
pub use edit::{edit_endpoint, update_endpoint};
pub use list::list_endpoints;
