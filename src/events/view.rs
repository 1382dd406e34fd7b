//! An event as the API and webhook payloads show it (SPEC §4, §9).

use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::clock::rfc3339;
use crate::db::models::objects::EventRow;
use crate::schema;

/// The object an event is about, as it was when the event happened.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EventData {
    #[schema(schema_with = schema::any_object)]
    pub object: Value,
}

/// A record of a change, such as `payment.succeeded`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Event {
    #[schema(pattern = "^evt_")]
    pub id: String,
    #[schema(pattern = "^event$")]
    pub object: &'static str,
    pub livemode: bool,
    #[schema(schema_with = schema::timestamp)]
    pub created_at: String,
    /// Such as `payment.succeeded` or `customer.created`.
    #[serde(rename = "type")]
    pub event_type: String,
    pub data: EventData,
}

pub fn event(r: &EventRow) -> Event {
    Event {
        id: r.id.clone(),
        object: "event",
        livemode: r.livemode,
        created_at: rfc3339(r.created_at),
        event_type: r.event_type.clone(),
        data: EventData {
            object: serde_json::from_str(&r.data)
                .unwrap_or_else(|_| Value::Object(Default::default())),
        },
    }
}
