//! `GET /lang/{code}?next=/path`: keeps the reader's language in a cookie that holds only `bn` or
//! `en`, then goes back to the page.

use axum::extract::{Path, Query};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};

use crate::i18n::Lang;
use crate::web::page::{LANG_COOKIE, safe_local_path};

#[derive(serde::Deserialize)]
pub struct Next {
    #[serde(default)]
    next: String,
}

pub async fn switch_language(
    Path(code): Path<String>,
    Query(next): Query<Next>,
    jar: CookieJar,
) -> Response {
    let lang = Lang::parse(&code).unwrap_or_default();
    (
        jar.add(language_cookie(lang)),
        Redirect::to(&safe_local_path(&next.next)),
    )
        .into_response()
}

/// The cookie that keeps the reader's language: `bn` or `en`, nothing else. It ends with the
/// browser session, so it leaves no lasting trace on the phone that this site was used.
pub fn language_cookie(lang: Lang) -> Cookie<'static> {
    Cookie::build((LANG_COOKIE, lang.code()))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .build()
}
