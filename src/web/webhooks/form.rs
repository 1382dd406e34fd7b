//! The endpoint form shared by the create and edit pages: the event picker (the
//! catalogue's types as checkboxes grouped by prefix, or all events), reading a
//! submitted form, and every error the form itself can name, all at once.

use crate::error::{Error, FieldErrors, sentence};
use crate::web::form::FormState;
use crate::webhooks::EVENT_TYPES;

pub struct EventChoice {
    pub name: &'static str,
    pub checked: bool,
}

/// The catalogue's types of one prefix (`payment.*`, `customer.*`, …).
pub struct EventGroup {
    pub label: String,
    pub events: Vec<EventChoice>,
}

/// The picker as shown: all events, or the checked ones.
pub struct EventPicker {
    pub all: bool,
    pub groups: Vec<EventGroup>,
}

impl EventPicker {
    /// The picker with `chosen` checked (`*`, or nothing at all, is all events).
    pub fn of(chosen: &[String]) -> Self {
        let all = chosen.is_empty() || chosen.iter().any(|e| e == "*");
        let mut groups: Vec<EventGroup> = Vec::new();
        for name in EVENT_TYPES {
            let prefix = name.split('.').next().unwrap_or(name);
            let label = if name.contains('.') {
                format!("{prefix}.*")
            } else {
                (*name).to_owned()
            };
            let choice = EventChoice {
                name,
                checked: !all && chosen.iter().any(|c| c == name),
            };
            match groups.iter_mut().find(|g| g.label == label) {
                Some(group) => group.events.push(choice),
                None => groups.push(EventGroup {
                    label,
                    events: vec![choice],
                }),
            }
        }
        Self { all, groups }
    }
}

/// A submitted endpoint form, read from its raw pairs (each checked event is a pair).
pub struct EndpointForm(pub Vec<(String, String)>);

impl EndpointForm {
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }

    /// The events asked for: `*` for "All events", else each checked (or typed, split on
    /// commas and white space) type. Nothing at all, with no choice made, is all events.
    pub fn events(&self) -> Vec<String> {
        if self.get("events") == "all" {
            return vec!["*".into()];
        }
        let events: Vec<String> = self
            .0
            .iter()
            .filter(|(k, _)| k == "enabled_events")
            .flat_map(|(_, v)| v.split([',', ' ', '\n', '\r', '\t']))
            .filter(|e| !e.is_empty())
            .map(str::to_owned)
            .collect();
        if events.is_empty() && self.get("events") != "some" {
            vec!["*".into()]
        } else {
            events
        }
    }

    /// What the person typed and picked, to show again beside the errors.
    pub fn kept(&self) -> FormState {
        ["url", "description", "mode", "api_key", "form_token"]
            .into_iter()
            .fold(FormState::default(), |f, name| f.with(name, self.get(name)))
    }

    pub fn picker(&self) -> EventPicker {
        let mut picker = EventPicker::of(&self.events());
        // "Only these" with nothing checked stays "only these", so the error reads right.
        if self.get("events") == "some" {
            picker.all = false;
        }
        picker
    }

    /// Every error of the description and events (the URL and the rest are checked by
    /// the caller and the domain): in sentences, beside their fields.
    pub fn errors(&self) -> FieldErrors {
        let mut errors = FieldErrors::new();
        let description = self.get("description");
        if description.chars().count() > 200 || description.chars().any(char::is_control) {
            errors.insert(
                "description",
                "At most 200 characters, on one line.".to_owned(),
            );
        }
        let events = self.events();
        if events.is_empty() {
            errors.insert(
                "enabled_events",
                "Choose at least one event, or All events.".to_owned(),
            );
        } else if events.len() > 100
            || events
                .iter()
                .any(|e| e.chars().count() > 100 || e.chars().any(char::is_control))
        {
            errors.insert(
                "enabled_events",
                "Choose events from the list, or All events.".to_owned(),
            );
        } else if let Err(Error::Invalid(mut f)) = crate::webhooks::check_events(&events)
            && let Some(why) = f.remove("enabled_events")
        {
            errors.insert("enabled_events", sentence(&why));
        }
        errors
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> EndpointForm {
        EndpointForm(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        )
    }

    #[test]
    fn the_picker_groups_the_catalogue_by_prefix() {
        let picker = EventPicker::of(&["payment.failed".into()]);
        assert!(!picker.all);
        let payment = picker
            .groups
            .iter()
            .find(|g| g.label == "payment.*")
            .unwrap();
        let names: Vec<_> = payment.events.iter().map(|e| e.name).collect();
        assert_eq!(names, ["payment.succeeded", "payment.failed"]);
        assert!(payment.events[1].checked && !payment.events[0].checked);
        assert!(picker.groups.iter().any(|g| g.label == "api_key.*"));
        assert!(EventPicker::of(&["*".into()]).all);
    }

    #[test]
    fn events_are_all_or_the_checked_ones_and_unknown_ones_are_named() {
        assert_eq!(
            form(&[("events", "all"), ("enabled_events", "ping")]).events(),
            ["*"]
        );
        let f = form(&[
            ("events", "some"),
            ("enabled_events", "payment.failed"),
            ("enabled_events", "ping"),
        ]);
        assert_eq!(f.events(), ["payment.failed", "ping"]);
        assert!(f.errors().is_empty());
        let f = form(&[("events", "some")]);
        assert!(f.errors()["enabled_events"].contains("at least one"));
        let f = form(&[("events", "some"), ("enabled_events", "payment.bogus")]);
        let why = &f.errors()["enabled_events"];
        assert!(
            why.starts_with("Unknown event type payment.bogus") && why.ends_with('.'),
            "{why}"
        );
    }
}
