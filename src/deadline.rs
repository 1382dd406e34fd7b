//! Slow clients cannot hold the server (SPEC §12): a request body must arrive within
//! its deadline (10 s after the head), or reading it fails with `TimedOut`, which the
//! body readers answer as 408 `request_timeout` and the connection is closed. (The head's
//! own 5 s limit, keep-alive and the connection cap are actix settings, in `startup.rs`.)

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use actix_web::HttpMessage;
use actix_web::dev::{Payload, ServiceRequest};
use actix_web::error::PayloadError;
use actix_web::http::header;
use actix_web::web::Bytes;
use futures_util::Stream;

/// Gives the body of `req`, if it has one, a deadline of `limit` from now.
pub fn limit_body(mut req: ServiceRequest, limit: Duration) -> ServiceRequest {
    let has_body = req.headers().contains_key(header::CONTENT_LENGTH)
        || req.headers().contains_key(header::TRANSFER_ENCODING);
    if has_body {
        let inner = req.take_payload();
        req.set_payload(Payload::Stream {
            payload: Box::pin(Deadline {
                inner,
                timer: Box::pin(tokio::time::sleep(limit)),
            }),
        });
    }
    req
}

/// True when a body read failed because its deadline passed.
pub fn is_timeout(e: &actix_web::Error) -> bool {
    matches!(
        e.as_error::<PayloadError>(),
        Some(PayloadError::Io(io)) if io.kind() == std::io::ErrorKind::TimedOut
    )
}

struct Deadline<S> {
    inner: S,
    timer: Pin<Box<tokio::time::Sleep>>,
}

impl<S> Stream for Deadline<S>
where
    S: Stream<Item = Result<Bytes, PayloadError>> + Unpin,
{
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if let Poll::Ready(item) = Pin::new(&mut self.inner).poll_next(cx) {
            return Poll::Ready(item);
        }
        if self.timer.as_mut().poll(cx).is_ready() {
            return Poll::Ready(Some(Err(PayloadError::Io(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "the request body did not arrive in time",
            )))));
        }
        Poll::Pending
    }
}
