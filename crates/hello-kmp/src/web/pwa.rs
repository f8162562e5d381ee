//! The installable app: the web app manifest, in the reader's language.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::app::AppState;
use crate::i18n::Lang;
use crate::web::icons;

/// The colour of the page header (`.top` in app.css), for the phone's title bar.
pub fn theme_color() -> String {
    let [r, g, b] = icons::NAVY;
    format!("#{r:02x}{g:02x}{b:02x}")
}

/// The page background (`body` in app.css), shown while the installed app starts.
const BACKGROUND_COLOR: &str = "#f6f7f5";

/// `GET /manifest.webmanifest`: names in the language the reader chose (Bangla unless they
/// chose English), the app starting at the home page, the icons.
pub async fn show_manifest(
    axum::extract::State(state): axum::extract::State<AppState>,
    lang: Lang,
) -> Response {
    let mut icons: Vec<serde_json::Value> = state
        .assets
        .icons
        .iter()
        .map(|icon| {
            serde_json::json!({
                "src": icon.href,
                "sizes": format!("{0}x{0}", icon.side),
                "type": "image/png",
                "purpose": icon.purpose(),
            })
        })
        .collect();
    icons.push(serde_json::json!({
        "src": state.assets.icon_href,
        "sizes": "any",
        "type": "image/svg+xml",
        "purpose": "any",
    }));
    let manifest = serde_json::json!({
        "id": "/",
        "name": lang.t("pwa-name"),
        "short_name": lang.t("app-name"),
        "description": lang.t("home-lead"),
        "lang": lang.code(),
        "dir": "ltr",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "theme_color": theme_color(),
        "background_color": BACKGROUND_COLOR,
        "icons": icons,
    });
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/manifest+json"),
        )],
        manifest.to_string(),
    )
        .into_response()
}
