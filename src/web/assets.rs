//! The static files, compiled into the binary so `cargo run` needs nothing beside it.

use actix_web::http::header;
use actix_web::{HttpResponse, web};

use super::page::PageError;
use crate::error::Error;

const APP_CSS: &str = include_str!("../../static/app.css");
const REFERENCE_CSS: &str = include_str!("../../static/reference.css");
const COPY_JS: &str = include_str!("../../static/copy.js");
const FAVICON: &str = include_str!("../../static/favicon.svg");

pub async fn serve(file: web::Path<String>) -> Result<HttpResponse, PageError> {
    let (body, kind) = match file.as_str() {
        "app.css" => (APP_CSS, "text/css; charset=utf-8"),
        "reference.css" => (REFERENCE_CSS, "text/css; charset=utf-8"),
        "copy.js" => (COPY_JS, "text/javascript; charset=utf-8"),
        "favicon.svg" => (FAVICON, "image/svg+xml"),
        _ => return Err(Error::NotFound.into()),
    };
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, kind))
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(body))
}
