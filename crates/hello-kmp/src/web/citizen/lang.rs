//! `GET /lang/{code}?next=/path[&q=…][&page=…]`: keeps the reader's language in a cookie that
//! holds only `bn` or `en`, then goes back to the page, with the search words and page number it
//! showed.

use axum::extract::{Path, Query, RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};

use crate::app::AppState;
use crate::i18n::Lang;
use crate::web::page::{Kept, LANG_COOKIE, safe_local_path};

#[derive(serde::Deserialize)]
pub struct Next {
    #[serde(default)]
    next: String,
}

pub async fn switch_language(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(next): Query<Next>,
    RawQuery(query): RawQuery,
    jar: CookieJar,
) -> Response {
    let lang = Lang::parse(&code).unwrap_or_default();
    let back = safe_local_path(&next.next) + &Kept::of_query(query.as_deref()).as_query();
    (
        jar.add(language_cookie(lang, state.settings.secure_cookies())),
        Redirect::to(&back),
    )
        .into_response()
}

/// The cookie that keeps the reader's language: `bn` or `en`, nothing else. It ends with the
/// browser session, so it leaves no lasting trace on the phone that this site was used. Over
/// HTTPS (`secure`) it is never sent in the clear.
pub fn language_cookie(lang: Lang, secure: bool) -> Cookie<'static> {
    Cookie::build((LANG_COOKIE, lang.code()))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .build()
}
