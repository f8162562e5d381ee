//! `GET /`: the services that exist, and 999 first. Also `/healthz` and the 404 page.

use std::io::Write;
use std::sync::OnceLock;

use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use flate2::Compression;
use flate2::write::GzEncoder;

use crate::app::AppState;
use crate::i18n::Lang;
use crate::web::error::WebError;
use crate::web::page::PageCtx;

#[derive(Template)]
#[template(path = "citizen/home.html")]
pub struct HomePage {
    pub ctx: PageCtx,
}

/// The home page holds nothing per request, so each language's page is rendered and compressed
/// once, the first time it is asked for.
pub async fn show_home(ctx: PageCtx, headers: HeaderMap) -> Response {
    static RENDERED: [OnceLock<CachedPage>; 2] = [OnceLock::new(), OnceLock::new()];
    let slot = match ctx.lang {
        Lang::Bn => &RENDERED[0],
        Lang::En => &RENDERED[1],
    };
    let page = match slot.get() {
        Some(page) => page,
        None => match CachedPage::render(&HomePage { ctx }) {
            Ok(page) => slot.get_or_init(|| page),
            Err(err) => return WebError::internal(err).into_response(),
        },
    };
    page.answer(&headers)
}

/// A page rendered once, kept plain and gzipped.
struct CachedPage {
    html: Bytes,
    gzip: Bytes,
}

impl CachedPage {
    fn render(page: &impl Template) -> anyhow::Result<CachedPage> {
        let html = page.render()?;
        let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
        encoder.write_all(html.as_bytes())?;
        Ok(CachedPage {
            html: Bytes::from(html),
            gzip: Bytes::from(encoder.finish()?),
        })
    }

    fn answer(&self, headers: &HeaderMap) -> Response {
        let gzip_ok = headers
            .get(header::ACCEPT_ENCODING)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.split(',')
                    .any(|c| c.trim().starts_with("gzip") && !c.contains("q=0"))
            });
        let html_type = (header::CONTENT_TYPE, "text/html; charset=utf-8");
        let vary = (header::VARY, "accept-encoding");
        if gzip_ok {
            (
                [html_type, vary, (header::CONTENT_ENCODING, "gzip")],
                self.gzip.clone(),
            )
                .into_response()
        } else {
            ([html_type, vary], self.html.clone()).into_response()
        }
    }
}

/// `GET /healthz`: answers when the database does.
pub async fn health(State(state): State<AppState>) -> Response {
    match sqlx::query("SELECT 1").execute(state.store.reader()).await {
        Ok(_) => "ok".into_response(),
        Err(_) => WebError::Unavailable.into_response(),
    }
}

pub async fn method_not_allowed() -> Response {
    WebError::Input(crate::domain::InputError::MethodNotAllowed).into_response()
}

pub async fn not_found() -> Response {
    WebError::NotFound.into_response()
}
