//! `GET /offline`: what a phone without a connection shows instead of a page it did not keep
//! (the service worker keeps this page), with 999 and the pages that open offline.

use askama::Template;
use axum::response::Response;

use crate::web::page::{PageCtx, render};
use crate::web::pwa::OFFLINE_PAGES;

/// A link to a page kept on the phone.
pub struct OfflineLink {
    pub href: &'static str,
    pub label: String,
}

#[derive(Template)]
#[template(path = "citizen/offline.html")]
pub struct OfflinePage {
    pub ctx: PageCtx,
    pub links: Vec<OfflineLink>,
}

pub async fn show_offline(ctx: PageCtx) -> Response {
    let links = OFFLINE_PAGES
        .iter()
        .filter_map(|page| {
            page.label_key.map(|key| OfflineLink {
                href: page.path,
                label: ctx.t(key),
            })
        })
        .collect();
    render(&OfflinePage { ctx, links })
}
