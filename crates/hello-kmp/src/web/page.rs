//! What every page template knows: the language, the page's own path (for the language switch)
//! and the addresses of the stylesheet, script and icon.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::{Html, IntoResponse, Response};
use axum_extra::extract::CookieJar;

use crate::app::AppState;
use crate::i18n::Lang;

/// The cookie that keeps the language choice. It holds `bn` or `en` and nothing else.
pub const LANG_COOKIE: &str = "lang";

/// Shared by every page template as `ctx`.
#[derive(Debug, Clone)]
pub struct PageCtx {
    pub lang: Lang,
    /// The path to come back to after switching language; always a safe local path.
    pub path: String,
    /// What the page was asked for beyond its path that the language switch keeps (the search
    /// words and the page number), encoded to follow `next=` in the switch's link: empty, or
    /// `&q=…&page=…`.
    pub switch_keeps: String,
    pub css_href: String,
    pub js_href: String,
    /// The emblem, the pages' icon.
    pub icon_href: String,
    /// The console's menu for the signed-in officer.
    pub nav: Option<ConsoleNav>,
    /// Console pages are for officers at a desk: no citizen 999 banner there.
    pub console: bool,
    /// False on pages that cannot be shown again once left (the receipt).
    pub can_switch_language: bool,
    /// On the tipster's status page: the receipt, which the language switch posts back.
    pub switch_receipt: Option<String>,
    /// How many files a tip may carry and how large, for the file chooser's label.
    pub file_limits: crate::domain::media::FileLimits,
}

/// What the console's menu shows: only what the officer's role may open.
#[derive(Debug, Clone)]
pub struct ConsoleNav {
    pub name: String,
    pub tips: bool,
    pub admin: bool,
    pub audit: bool,
    /// Editors and administrators keep the contacts directory.
    pub contacts: bool,
    /// The SOS board: the control room, headquarters and administrators.
    pub sos: bool,
    /// The FAQ and the news.
    pub content: bool,
}

impl PageCtx {
    /// Marks the page as seen by this signed-in officer, for the console's menu.
    pub fn signed_in(&mut self, officer: &crate::services::accounts::Officer) {
        use crate::services::access;
        self.nav = Some(ConsoleNav {
            name: officer.display_name.clone(),
            tips: access::has_tips(officer.role),
            admin: access::administers(officer).is_ok(),
            audit: access::reads_audit(officer).is_ok(),
            contacts: access::edits_contacts(officer).is_ok(),
            sos: access::may_sos(officer, access::SosRight::Watch),
            content: access::publishes(officer).is_ok(),
        });
    }

    pub fn new(state: &AppState, lang: Lang, path: &str) -> PageCtx {
        // Pages answered to a POST switch language back to the form they came from.
        let path = match path {
            "/tips" => "/tips/new",
            "/follow-up/messages" => "/follow-up",
            "/contacts/nearest" => "/contacts",
            other => other,
        };
        PageCtx {
            lang,
            path: safe_local_path(path),
            switch_keeps: String::new(),
            css_href: state.assets.css_href.clone(),
            js_href: state.assets.js_href.clone(),
            icon_href: state.assets.icon_href.clone(),
            nav: None,
            console: path.starts_with("/console"),
            can_switch_language: true,
            switch_receipt: None,
            file_limits: state.file_limits(),
        }
    }

    /// What a screen reader says for a phone number's link: whom it calls, then the number as
    /// shown.
    pub fn call_label(&self, name: &str, number: &str) -> String {
        self.lang
            .t_texts("contacts-call", &[("name", name), ("number", number)])
    }

    /// The file chooser's label, naming the limits in force.
    pub fn files_choose(&self) -> String {
        let limits = self.file_limits;
        let [image, audio, document, video] = limits.megabytes().map(|mb| mb as u64);
        self.lang.t_numbers(
            "tip-files-choose",
            &[
                ("max", limits.max_files as u64),
                ("image", image),
                ("audio", audio),
                ("document", document),
                ("video", video),
            ],
        )
    }

    /// A message in the page's language.
    pub fn t(&self, key: &str) -> String {
        self.lang.t(key)
    }

    /// The same message in the other language, shown beside errors so both readers understand.
    pub fn t_other(&self, key: &str) -> String {
        self.lang.other().t(key)
    }

    pub fn other_lang(&self) -> &'static str {
        self.lang.other().code()
    }

    /// Digits as the reader expects them.
    pub fn num(&self, n: &i64) -> String {
        self.lang.digits(&n.to_string())
    }

    /// A file size such as `2.4 MB` or `830 KB`, in the page's digits.
    pub fn size(&self, bytes: i64) -> String {
        let text = if bytes >= 1024 * 1024 {
            format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
        } else {
            format!("{} KB", (bytes + 1023) / 1024)
        };
        self.lang.digits(&text)
    }

    /// A date and time in Khulna, such as `03-12-2026 14:30`, in the page's digits.
    pub fn when(&self, unix: &i64) -> String {
        self.lang.digits(&format_local(*unix))
    }

    pub fn when_opt(&self, unix: &Option<i64>) -> String {
        unix.map(|u| self.when(&u)).unwrap_or_default()
    }
}

/// `dd-mm-yyyy hh:mm` in Bangladesh time.
pub fn format_local(unix: i64) -> String {
    let format = time::macros::format_description!("[day]-[month]-[year] [hour]:[minute]");
    time::OffsetDateTime::from_unix_timestamp(unix)
        .map(|t| t.to_offset(crate::domain::tip::DHAKA))
        .ok()
        .and_then(|t| t.format(format).ok())
        .unwrap_or_default()
}

/// A path safe to redirect to and to put in a link: local, no scheme, no host, no query.
pub fn safe_local_path(path: &str) -> String {
    let ok = path.starts_with('/')
        && !path.starts_with("//")
        && path.len() < 200
        && path
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'-' | b'_'));
    if ok {
        path.to_string()
    } else {
        "/".to_string()
    }
}

/// The reader's language: the `lang` cookie, else Bangla.
impl FromRequestParts<AppState> for Lang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, Self::Rejection> {
        let jar = CookieJar::from_headers(&parts.headers);
        Ok(jar
            .get(LANG_COOKIE)
            .and_then(|c| Lang::parse(c.value()))
            .unwrap_or_default())
    }
}

impl FromRequestParts<AppState> for PageCtx {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let lang = Lang::from_request_parts(parts, state).await?;
        let mut ctx = PageCtx::new(state, lang, parts.uri.path());
        if parts.method == axum::http::Method::GET {
            ctx.switch_keeps = Kept::of_query(parts.uri.query()).encoded();
        }
        Ok(ctx)
    }
}

/// The parts of a page's query the language switch carries over: the search words (`q`) and
/// the page number (`page`), each checked, and nothing else.
#[derive(Debug, Default)]
pub struct Kept {
    q: Option<String>,
    page: Option<String>,
}

impl Kept {
    /// The kept parts of `query` (a URL's query string).
    pub fn of_query(query: Option<&str>) -> Kept {
        let mut kept = Kept::default();
        for (name, value) in form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
            match &*name {
                "q" => kept.q = Some(value.into_owned()),
                "page" => kept.page = Some(value.into_owned()),
                _ => {}
            }
        }
        kept
    }

    /// `&q=…&page=…` for what is kept and well formed, else empty.
    pub fn encoded(&self) -> String {
        let mut out = form_urlencoded::Serializer::new(String::new());
        let q = self.q.as_deref().map(str::trim);
        if let Some(q) = q.filter(|q| !q.is_empty() && q.len() <= 200) {
            out.append_pair("q", q);
        }
        let page = self.page.as_deref();
        if let Some(page) =
            page.filter(|p| (1..=6).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()))
        {
            out.append_pair("page", page);
        }
        let pairs = out.finish();
        if pairs.is_empty() {
            pairs
        } else {
            format!("&{pairs}")
        }
    }

    /// `?q=…&page=…` for what is kept, to follow a path, else empty.
    pub fn as_query(&self) -> String {
        match self.encoded().strip_prefix('&') {
            Some(pairs) => format!("?{pairs}"),
            None => String::new(),
        }
    }
}

/// Renders a template; a template that fails to render is a bug, answered with a 500.
pub fn render<T: askama::Template>(template: &T) -> Response {
    match template.render() {
        Ok(html) => Html(html).into_response(),
        Err(err) => crate::web::error::WebError::internal(anyhow::Error::from(err)).into_response(),
    }
}

/// Renders a template with a status other than 200.
pub fn render_with<T: askama::Template>(status: axum::http::StatusCode, template: &T) -> Response {
    let mut response = render(template);
    if response.status().is_success() {
        *response.status_mut() = status;
    }
    crate::web::error::add_retry_after(&mut response);
    response
}

/// A refusal shown on a form: the message in the page's language and in the other one.
#[derive(Debug, Clone)]
pub struct Problem {
    pub field: &'static str,
    pub message: String,
    pub other: String,
}

impl Problem {
    pub fn new(ctx: &PageCtx, err: crate::domain::InputError) -> Problem {
        Problem {
            field: err.field().unwrap_or(""),
            message: ctx.lang.t_input(err),
            other: ctx.lang.other().t_input(err),
        }
    }

    /// Whether the problem belongs to `field`, for `aria-invalid`.
    pub fn is_on(problem: &Option<Problem>, field: &str) -> bool {
        problem.as_ref().is_some_and(|p| p.field == field)
    }
}

/// One option of a `<select>`.
#[derive(Debug, Clone)]
pub struct Choice {
    pub key: String,
    pub label: String,
    pub selected: bool,
}
