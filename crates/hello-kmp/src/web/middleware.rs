//! Middleware on every route: the request span (matched route only, never the client), security
//! headers with a strict Content-Security-Policy, cross-site request refusal, compression and a
//! bilingual page for panics.

use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderName, HeaderValue, Response, header};
use axum::response::IntoResponse;
use tower_http::CompressionLevel;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate};
use tower_http::csrf::CsrfLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;
use tracing::Span;

use crate::app::AppState;
use crate::web::error::WebError;

/// Nothing from another origin, no inline script or style, no framing; the app's own service
/// worker only.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; \
     base-uri 'none'; frame-ancestors 'none'; manifest-src 'self'; worker-src 'self'";

/// Adds the middleware stack around the routes.
pub fn wrap(routes: Router<AppState>, state: &AppState) -> Router<AppState> {
    // The API answers a cross-site refusal with its JSON envelope (see `api::routes`).
    let csrf = trusted_csrf(state)
        .with_insecure_bypass(|_, uri| uri.path().starts_with("/api/"))
        .with_rejection_response(|_| WebError::Forbidden.into_response());
    // Behind HTTPS, browsers are told never to try plain HTTP again, so a tipster on a hostile
    // network cannot be downgraded.
    let hsts = state.settings.secure_cookies().then(|| {
        header_layer(
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=31536000; includeSubDomains",
        )
    });
    routes
        .layer(tower::util::option_layer(hsts))
        .layer(CatchPanicLayer::custom(|_| {
            WebError::internal(anyhow::anyhow!("a handler panicked")).into_response()
        }))
        .layer(csrf)
        .layer(header_layer(
            header::CONTENT_SECURITY_POLICY,
            CONTENT_SECURITY_POLICY,
        ))
        .layer(header_layer(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(header_layer(header::REFERRER_POLICY, "no-referrer"))
        .layer(header_layer(header::X_FRAME_OPTIONS, "DENY"))
        .layer(header_layer(
            HeaderName::from_static("permissions-policy"),
            "geolocation=(self), camera=(), microphone=(), interest-cohort=()",
        ))
        .layer(header_layer(
            HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        // Gzip at level 4 keeps most of the saving on small pages. Brotli is left out: its
        // encoder allocates a multi-megabyte window per response, which cut the home page's rate
        // to a third (bench/RESULTS.md).
        .layer(
            CompressionLayer::new()
                .no_br()
                .quality(CompressionLevel::Precise(4))
                // Video and voice notes are compressed already, and their downloads carry the
                // hash of the bytes as stored.
                .compress_when(
                    DefaultPredicate::new()
                        .and(NotForContentType::const_new("video/"))
                        .and(NotForContentType::const_new("audio/")),
                ),
        )
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_span)
                .on_request(())
                .on_response(log_response)
                .on_failure(()),
        )
}

/// Refuses cross-site requests that change something, trusting the configured public origin.
pub fn trusted_csrf(state: &AppState) -> CsrfLayer {
    let csrf = CsrfLayer::new();
    let Some(origin) = &state.settings.public_origin else {
        return csrf;
    };
    match csrf.clone().add_trusted_origin(origin) {
        Ok(with_origin) => with_origin,
        Err(err) => {
            tracing::warn!(error = %err, "public_origin is not usable for cross-site checks");
            csrf
        }
    }
}

fn header_layer(name: HeaderName, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::overriding(name, HeaderValue::from_static(value))
}

/// The span names the route template (`/console/tips/{reference}`), never the raw path, query,
/// client address or user agent.
fn request_span(request: &Request) -> Span {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", MatchedPath::as_str)
        .to_string();
    tracing::info_span!("request", method = %request.method(), route = %route)
}

fn log_response(response: &Response<Body>, latency: Duration, _span: &Span) {
    tracing::debug!(
        status = response.status().as_u16(),
        duration_ms = latency.as_millis() as u64,
        "answered"
    );
}
