//! `GET /`: the services that exist, and 999 first. Also `/healthz` and the 404 page.

use std::sync::OnceLock;

use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};

use crate::app::AppState;
use crate::i18n::Lang;
use crate::web::error::WebError;
use crate::web::page::PageCtx;

#[derive(Template)]
#[template(path = "citizen/home.html")]
pub struct HomePage {
    pub ctx: PageCtx,
}

/// The home page holds nothing per request, so each language's page is rendered once.
pub async fn show_home(ctx: PageCtx) -> Response {
    static RENDERED: [OnceLock<String>; 2] = [OnceLock::new(), OnceLock::new()];
    let slot = match ctx.lang {
        Lang::Bn => &RENDERED[0],
        Lang::En => &RENDERED[1],
    };
    if let Some(html) = slot.get() {
        return Html(html.clone()).into_response();
    }
    let page = HomePage { ctx };
    match page.render() {
        Ok(html) => Html(slot.get_or_init(|| html).clone()).into_response(),
        Err(err) => render_failed(err),
    }
}

/// `GET /healthz`: answers when the database does.
pub async fn health(State(state): State<AppState>) -> Response {
    match sqlx::query("SELECT 1").execute(state.store.reader()).await {
        Ok(_) => "ok".into_response(),
        Err(_) => WebError::Unavailable.into_response(),
    }
}

fn render_failed(err: askama::Error) -> Response {
    WebError::internal(anyhow::Error::from(err)).into_response()
}

pub async fn not_found() -> Response {
    WebError::NotFound.into_response()
}
