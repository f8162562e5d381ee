//! `GET /`: the services that exist, and 999 first. Also `/healthz` and the 404 page.

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};

use crate::app::AppState;
use crate::web::error::WebError;
use crate::web::page::{PageCtx, render};

#[derive(Template)]
#[template(path = "citizen/home.html")]
pub struct HomePage {
    pub ctx: PageCtx,
}

pub async fn show_home(ctx: PageCtx) -> Response {
    render(&HomePage { ctx })
}

/// `GET /healthz`: answers when the database does.
pub async fn health(State(state): State<AppState>) -> Response {
    match sqlx::query("SELECT 1").execute(state.store.reader()).await {
        Ok(_) => "ok".into_response(),
        Err(_) => WebError::Unavailable.into_response(),
    }
}

pub async fn not_found() -> Response {
    WebError::NotFound.into_response()
}
