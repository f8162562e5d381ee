//! The installable app: the web app manifest, in the reader's language, the service worker that
//! keeps the app shell on the phone, and the one list of pages kept for use offline.

use std::sync::LazyLock;

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::app::AppState;
use crate::i18n::Lang;
use crate::web::assets::Assets;
use crate::web::icons;

/// A public page the phone keeps for use without a connection.
#[derive(Debug, Clone, Copy)]
pub struct OfflinePage {
    pub path: &'static str,
    /// The link's words on the offline page; `None` for a page it does not link to.
    pub label_key: Option<&'static str>,
}

/// Every page kept offline, in one place: the service worker fetches them when it is installed
/// and again whenever one is opened with a connection. Nothing personal may be listed here: no
/// receipt, no follow-up, no console, no answer to a POST.
pub const OFFLINE_PAGES: &[OfflinePage] = &[
    OfflinePage {
        path: "/",
        label_key: Some("offline-link-home"),
    },
    OfflinePage {
        path: "/tips/new",
        label_key: Some("offline-link-tip"),
    },
    OfflinePage {
        path: OFFLINE_FALLBACK,
        label_key: None,
    },
    // A page that does not answer (a 404) is skipped when the service worker is installed.
    OfflinePage {
        path: "/contacts",
        label_key: Some("offline-link-contacts"),
    },
    OfflinePage {
        path: "/faq",
        label_key: Some("offline-link-faq"),
    },
];

/// Shown, from the phone, instead of a page that was not kept.
pub const OFFLINE_FALLBACK: &str = "/offline";

const SERVICE_WORKER: &str = include_str!("../../static/sw.js");

/// The service worker's text: what it keeps, then `static/sw.js`. Its version changes with
/// any of the files, so phones fetch the new files and drop the old ones.
fn service_worker(assets: &Assets) -> String {
    let pages: Vec<&str> = OFFLINE_PAGES.iter().map(|p| p.path).collect();
    let mut shell = serde_json::json!({
        "assets": assets.shell_hrefs(),
        "pages": pages,
        "fallback": OFFLINE_FALLBACK,
    });
    let unversioned = format!("{shell}\n{SERVICE_WORKER}");
    shell["version"] = blake3::hash(unversioned.as_bytes()).to_hex()[..12].into();
    format!("var SHELL = {shell};\n{SERVICE_WORKER}")
}

/// `GET /sw.js`, at the root so that it may look after every page. Browsers are told to check
/// it again on every visit, so that a new version reaches phones at once.
pub async fn show_service_worker() -> Response {
    static TEXT: LazyLock<String> = LazyLock::new(|| service_worker(Assets::shared()));
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/javascript; charset=utf-8"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        ],
        TEXT.as_str(),
    )
        .into_response()
}

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
