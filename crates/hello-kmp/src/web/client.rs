//! The client's address, for one use only: the in-memory receipt-guess throttle. It is hashed
//! there at once and never stored, logged or put in a span.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;

use crate::app::AppState;
use crate::throttle::ClientKey;

/// The throttle key of the client making this request.
#[derive(Debug, Clone, Copy)]
pub struct Client(pub ClientKey);

impl FromRequestParts<AppState> for Client {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        let addr = match peer {
            Some(ip) if state.settings.trusted_proxies.contains(&ip) => {
                forwarded_client(parts).or(peer)
            }
            other => other,
        };
        Ok(Client(state.throttle.key_for(addr)))
    }
}

/// The right-most address a trusted proxy added to `X-Forwarded-For`.
fn forwarded_client(parts: &Parts) -> Option<IpAddr> {
    let header = parts.headers.get("x-forwarded-for")?.to_str().ok()?;
    header.rsplit(',').next()?.trim().parse().ok()
}
