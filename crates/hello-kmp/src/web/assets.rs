//! Static files compiled into the binary, served under names that carry their content hash so
//! that browsers may keep them for a year: the stylesheet, the script and the app's icons.

use std::sync::{LazyLock, OnceLock};

use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::app::AppState;
use crate::web::icons::{self, Variant};

const CSS: &str = include_str!("../../static/app.css");
const JS: &str = include_str!("../../static/app.js");
/// The SOS page's and the SOS board's script, loaded by those pages only.
const SOS_JS: &str = include_str!("../../static/sos.js");

/// Cache-Control of every fingerprinted file.
const FOREVER: &str = "public, max-age=31536000, immutable";

/// The PNG icons an installed app needs: what the manifest lists.
const PNG_ICONS: [(Variant, u32); 3] = [
    (Variant::Plain, 192),
    (Variant::Plain, 512),
    (Variant::Maskable, 512),
];

/// A PNG icon: its address, its size and what launchers may do with it.
#[derive(Debug, Clone)]
pub struct Icon {
    pub href: String,
    pub side: u32,
    pub variant: Variant,
}

impl Icon {
    /// `purpose` in the manifest.
    pub fn purpose(&self) -> &'static str {
        match self.variant {
            Variant::Plain => "any",
            Variant::Maskable => "maskable",
        }
    }
}

/// The fingerprinted addresses of the stylesheet, the script and the icons.
#[derive(Debug, Clone)]
pub struct Assets {
    pub css_href: String,
    pub js_href: String,
    pub sos_js_href: String,
    /// The emblem as SVG: the pages' icon.
    pub icon_href: String,
    icon_svg: String,
    pub icons: Vec<Icon>,
}

impl Default for Assets {
    fn default() -> Self {
        Self::new()
    }
}

impl Assets {
    pub fn new() -> Assets {
        let icon_svg = icons::svg(Variant::Plain);
        let icons = PNG_ICONS
            .iter()
            .map(|&(variant, side)| {
                // The drawing is made from its SVG, so the SVG's hash names the PNG too.
                let source = format!("{}{side}", icons::svg(variant));
                let kind = match variant {
                    Variant::Plain => "icon",
                    Variant::Maskable => "icon-maskable",
                };
                Icon {
                    href: format!("/static/{kind}-{side}.{}.png", fingerprint(&source)),
                    side,
                    variant,
                }
            })
            .collect();
        Assets {
            css_href: format!("/static/app.{}.css", fingerprint(CSS)),
            js_href: format!("/static/app.{}.js", fingerprint(JS)),
            sos_js_href: format!("/static/sos.{}.js", fingerprint(SOS_JS)),
            icon_href: format!("/static/icon.{}.svg", fingerprint(&icon_svg)),
            icon_svg,
            icons,
        }
    }

    /// The same addresses, for pages drawn without the app's state (the error page).
    pub fn shared() -> &'static Assets {
        static SHARED: LazyLock<Assets> = LazyLock::new(Assets::new);
        &SHARED
    }

    /// The files of the app shell, for the service worker to keep: stylesheet, script, the
    /// pages' icon and the small app icon. The large icons are fetched by the phone only when the
    /// app is installed.
    pub fn shell_hrefs(&self) -> Vec<String> {
        let mut shell = vec![
            self.css_href.clone(),
            self.js_href.clone(),
            self.icon_href.clone(),
        ];
        shell.extend(
            self.icons
                .iter()
                .filter(|i| i.side <= 192)
                .map(|i| i.href.clone()),
        );
        shell
    }
}

fn fingerprint(content: &str) -> String {
    blake3::hash(content.as_bytes()).to_hex()[..12].to_string()
}

/// `GET /static/{file}`: only the current fingerprinted names exist.
pub async fn serve_asset(State(state): State<AppState>, Path(file): Path<String>) -> Response {
    let requested = format!("/static/{file}");
    let assets = &state.assets;
    if requested == assets.css_href {
        return forever("text/css; charset=utf-8", CSS);
    }
    if requested == assets.js_href {
        return forever("text/javascript; charset=utf-8", JS);
    }
    if requested == assets.sos_js_href {
        return forever("text/javascript; charset=utf-8", SOS_JS);
    }
    if requested == assets.icon_href {
        return forever("image/svg+xml", assets.icon_svg.clone());
    }
    let Some(at) = assets.icons.iter().position(|i| i.href == requested) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    match png(at, &assets.icons[at]).await {
        Ok(bytes) => forever("image/png", bytes),
        Err(err) => crate::web::error::WebError::internal(err).into_response(),
    }
}

/// A PNG icon, drawn the first time it is asked for (off the async threads) and kept.
async fn png(at: usize, icon: &Icon) -> anyhow::Result<&'static [u8]> {
    static DRAWN: [OnceLock<Vec<u8>>; PNG_ICONS.len()] =
        [OnceLock::new(), OnceLock::new(), OnceLock::new()];
    if let Some(bytes) = DRAWN[at].get() {
        return Ok(bytes);
    }
    let (variant, side) = (icon.variant, icon.side);
    let bytes = tokio::task::spawn_blocking(move || icons::png(variant, side)).await??;
    Ok(DRAWN[at].get_or_init(|| bytes))
}

fn forever(kind: &'static str, body: impl IntoResponse) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(kind)),
            (header::CACHE_CONTROL, HeaderValue::from_static(FOREVER)),
        ],
        body,
    )
        .into_response()
}
