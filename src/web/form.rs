//! Form plumbing: values typed and errors beside each field, kept across re-renders.

use std::collections::BTreeMap;

use actix_web::{HttpResponse, error::InternalError, web};

use crate::error::{Error, FieldErrors};

/// What a form shows: the values the person typed (never passwords) and one message per
/// field that was wrong.
#[derive(Default)]
pub struct FormState {
    values: BTreeMap<&'static str, String>,
    errors: FieldErrors,
}

impl FormState {
    pub fn with(mut self, name: &'static str, value: &str) -> Self {
        self.values.insert(name, value.to_owned());
        self
    }

    pub fn errors(mut self, errors: FieldErrors) -> Self {
        self.errors = errors;
        self
    }

    pub fn value(&self, name: &str) -> &str {
        self.values.get(name).map(String::as_str).unwrap_or("")
    }

    pub fn error(&self, name: &str) -> Option<&str> {
        self.errors.get(name).map(String::as_str)
    }

    /// Errors that belong to no field (shown above the form).
    pub fn general(&self) -> Option<&str> {
        self.error("_form")
    }
}

/// A form body that does not decode is the sender's fault: a 400 page, not a panic.
pub fn config() -> web::FormConfig {
    web::FormConfig::default()
        .limit(64 * 1024)
        .error_handler(|err, _req| {
            let page = super::page::PageError::Page(Error::field(
                "_form",
                format!("The form could not be read ({err}). Reload the page and try again."),
            ));
            InternalError::from_response(err, actix_web::ResponseError::error_response(&page))
                .into()
        })
}

pub type Response = Result<HttpResponse, super::page::PageError>;
