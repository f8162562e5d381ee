//! Static files compiled into the binary, served under names that carry their content hash so
//! that browsers may keep them for a year.

use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::app::AppState;

const CSS: &str = include_str!("../../static/app.css");
const JS: &str = include_str!("../../static/app.js");
/// The SOS page's and the SOS board's script, loaded by those pages only.
const SOS_JS: &str = include_str!("../../static/sos.js");

/// The fingerprinted addresses of the stylesheet and script.
#[derive(Debug, Clone)]
pub struct Assets {
    pub css_href: String,
    pub js_href: String,
    pub sos_js_href: String,
}

impl Default for Assets {
    fn default() -> Self {
        Self::new()
    }
}

impl Assets {
    pub fn new() -> Assets {
        Assets {
            css_href: format!("/static/app.{}.css", fingerprint(CSS)),
            js_href: format!("/static/app.{}.js", fingerprint(JS)),
            sos_js_href: format!("/static/sos.{}.js", fingerprint(SOS_JS)),
        }
    }
}

fn fingerprint(content: &str) -> String {
    blake3::hash(content.as_bytes()).to_hex()[..12].to_string()
}

/// `GET /static/{file}`: only the current fingerprinted names exist.
pub async fn serve_asset(State(state): State<AppState>, Path(file): Path<String>) -> Response {
    let requested = format!("/static/{file}");
    let (body, kind) = if requested == state.assets.css_href {
        (CSS, "text/css; charset=utf-8")
    } else if requested == state.assets.js_href {
        (JS, "text/javascript; charset=utf-8")
    } else if requested == state.assets.sos_js_href {
        (SOS_JS, "text/javascript; charset=utf-8")
    } else {
        return StatusCode::NOT_FOUND.into_response();
    };
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(kind)),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=31536000, immutable"),
            ),
        ],
        body,
    )
        .into_response()
}
