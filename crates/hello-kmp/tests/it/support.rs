//! The test app: the real router over a fresh database (a temporary SQLite file, or a fresh
//! PostgreSQL schema), with an anonymous client and a logged-in officer client.

use std::net::SocketAddr;
use std::path::Path;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Request, StatusCode, header};
use hello_kmp::app::AppState;
use hello_kmp::config::Settings;
use hello_kmp::services::officers::{self, NewOfficer};
use http_body_util::BodyExt;
use scraper::{Html, Selector};
use sqlx::Row;
use tower::ServiceExt;

/// The PostgreSQL every development and CI machine has.
pub fn pg_base_url() -> String {
    std::env::var("KMP_TEST_PG")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_string())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs a test body once on SQLite and once on PostgreSQL, as two tests.
#[macro_export]
macro_rules! on_both {
    ($name:ident, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let app = $crate::support::TestApp::start($crate::support::Backend::Sqlite).await;
                ($body)(app.clone()).await;
                app.finish().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let app = $crate::support::TestApp::start($crate::support::Backend::Postgres).await;
                ($body)(app.clone()).await;
                app.finish().await;
            }
        }
    };
}

/// A running app on a fresh database.
#[derive(Clone)]
pub struct TestApp {
    pub backend: Backend,
    pub state: AppState,
    pub router: Router,
    pub dir: std::sync::Arc<tempfile::TempDir>,
    pub schema: Option<String>,
    pub admin_password: String,
}

/// An answer, read whole.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Answer {
    pub fn html(&self) -> Html {
        Html::parse_document(&self.body)
    }

    /// The text of every element matching `css`, trimmed.
    pub fn texts(&self, css: &str) -> Vec<String> {
        let selector = Selector::parse(css).expect("valid selector");
        self.html()
            .select(&selector)
            .map(|e| e.text().collect::<String>().trim().to_string())
            .collect()
    }

    pub fn text(&self, css: &str) -> String {
        self.texts(css)
            .into_iter()
            .next()
            .unwrap_or_else(|| panic!("no {css} in page:\n{}", self.body))
    }

    /// An attribute of the first element matching `css`.
    pub fn attr(&self, css: &str, name: &str) -> Option<String> {
        let selector = Selector::parse(css).expect("valid selector");
        self.html()
            .select(&selector)
            .next()?
            .value()
            .attr(name)
            .map(str::to_string)
    }

    pub fn has(&self, css: &str) -> bool {
        !self.texts(css).is_empty()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    /// The `name=value` part of the cookie this answer sets.
    pub fn cookie_pair(&self) -> String {
        let cookie = self.header("set-cookie");
        cookie.split(';').next().expect("cookie pair").to_string()
    }

    pub fn header(&self, name: &str) -> String {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    }
}

impl TestApp {
    pub async fn start(backend: Backend) -> TestApp {
        Self::start_with(backend, |_| {}).await
    }

    /// Starts with settings changed by `adjust`.
    pub async fn start_with(backend: Backend, adjust: impl FnOnce(&mut Settings)) -> TestApp {
        let dir = tempfile::tempdir().expect("temp dir");
        let (url, schema) = match backend {
            Backend::Sqlite => (None, None),
            Backend::Postgres => {
                let schema = format!("t_{}", hello_kmp::sealing::random_hex(8));
                create_schema(&schema).await;
                let url = format!("{}?options=-csearch_path%3D{schema}", pg_base_url());
                (Some(url), Some(schema))
            }
        };
        let mut settings = Settings::for_data_dir(dir.path(), url);
        adjust(&mut settings);
        let (state, admin) = AppState::open(settings).await.expect("app opens");
        let admin = admin.expect("a fresh database makes the first administrator");
        let router = hello_kmp::web::router(state.clone());
        TestApp {
            backend,
            state,
            router,
            dir: std::sync::Arc::new(dir),
            schema,
            admin_password: admin.password.0,
        }
    }

    /// A second server on this one's database, as a second `serve` process is: the same
    /// database and key file, its own pools and writer. On PostgreSQL it shares the data folder
    /// too; on SQLite, where one server runs per data folder, it has a folder of its own and
    /// opens this one's database file. Finishing it closes its pools only.
    pub async fn second_server(&self) -> TestApp {
        let first = &self.state.settings;
        let (dir, url) = match self.backend {
            Backend::Postgres => (self.dir.clone(), first.database_url.clone()),
            Backend::Sqlite => (
                std::sync::Arc::new(tempfile::tempdir().expect("temp dir")),
                Some(first.database_url()),
            ),
        };
        let mut settings = Settings::for_data_dir(dir.path(), url);
        settings.key_file = Some(first.key_file());
        let (state, admin) = AppState::open(settings)
            .await
            .expect("the second server opens");
        assert!(admin.is_none(), "the first server made the administrator");
        TestApp {
            backend: self.backend,
            router: hello_kmp::web::router(state.clone()),
            state,
            dir,
            schema: None,
            admin_password: self.admin_password.clone(),
        }
    }

    /// Closes the pools and drops the PostgreSQL schema.
    pub async fn finish(&self) {
        self.state.store.close().await;
        if let Some(schema) = &self.schema {
            drop_schema(schema).await;
        }
    }

    pub fn data_dir(&self) -> &Path {
        self.dir.path()
    }

    /// Sends a request as if from the client at `peer`.
    pub async fn send(&self, mut request: Request<Body>, peer: &str) -> Answer {
        let addr: SocketAddr = format!("{peer}:40000").parse().expect("peer address");
        request.extensions_mut().insert(ConnectInfo(addr));
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("router answers");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        Answer {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    pub async fn get(&self, path: &str) -> Answer {
        self.get_with(path, &[]).await
    }

    /// Sends a request and hands the answer back unread: for a stream that does not end.
    pub async fn send_unread(
        &self,
        mut request: Request<Body>,
        peer: &str,
    ) -> axum::response::Response {
        let addr: SocketAddr = format!("{peer}:40000").parse().expect("peer address");
        request.extensions_mut().insert(ConnectInfo(addr));
        self.router
            .clone()
            .oneshot(request)
            .await
            .expect("router answers")
    }

    /// Another server on the same database, as a second `serve` process would be: its own data
    /// folder (and so its own writer, throttles and live-update watcher), the same key file.
    /// Its `finish` leaves the database to the first.
    pub async fn second_process(&self) -> TestApp {
        let dir = tempfile::tempdir().expect("temp dir");
        let first = &self.state.settings;
        let mut settings = Settings::for_data_dir(dir.path(), Some(first.database_url()));
        settings.key_file = Some(first.key_file());
        settings.sos = first.sos;
        let (state, admin) = AppState::open(settings).await.expect("second server opens");
        assert!(admin.is_none(), "the database has its administrator");
        let router = hello_kmp::web::router(state.clone());
        TestApp {
            backend: self.backend,
            state,
            router,
            dir: std::sync::Arc::new(dir),
            schema: None,
            admin_password: self.admin_password.clone(),
        }
    }

    pub async fn get_with(&self, path: &str, headers: &[(&str, &str)]) -> Answer {
        let mut builder = Request::get(path);
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        self.send(builder.body(Body::empty()).expect("request"), "192.0.2.1")
            .await
    }

    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> Answer {
        self.post_form_as(path, fields, &[], "192.0.2.1").await
    }

    /// Posts a form with extra headers, from `peer`.
    pub async fn post_form_as(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        headers: &[(&str, &str)],
        peer: &str,
    ) -> Answer {
        let body = form_body(fields);
        let mut builder =
            Request::post(path).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        self.send(builder.body(Body::from(body)).expect("request"), peer)
            .await
    }

    /// A `multipart/form-data` POST, as the tip form sends it: text fields, then files (all under
    /// the name `files`).
    pub async fn post_multipart(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        files: &[(&str, Vec<u8>)],
    ) -> Answer {
        let request = Request::post(path)
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .body(Body::from(multipart_body(fields, files)))
            .expect("request");
        self.send(request, "192.0.2.33").await
    }

    pub async fn post_json(&self, path: &str, json: serde_json::Value) -> Answer {
        self.post_json_as(path, json, "192.0.2.1").await
    }

    pub async fn post_json_as(&self, path: &str, json: serde_json::Value, peer: &str) -> Answer {
        let request = Request::post(path)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(json.to_string()))
            .expect("request");
        self.send(request, peer).await
    }

    /// Sends a tip through the HTML form and returns the receipt page.
    pub async fn submit_tip(&self, description: &str) -> Answer {
        let answer = self
            .post_form(
                "/tips",
                &[
                    ("category", "drugs"),
                    ("description", description),
                    ("thana", "sonadanga"),
                ],
            )
            .await;
        assert_eq!(
            answer.status,
            StatusCode::OK,
            "tip accepted: {}",
            answer.body
        );
        answer
    }

    /// Logs the first administrator in (choosing a password and enrolling 2FA on the way) and
    /// returns a client carrying the session cookie.
    pub async fn officer(&self) -> Officer {
        let password = self.admin_password.clone();
        self.first_log_in("admin", &password).await
    }

    /// Creates an officer with the given role and place and logs them in for the first time.
    pub async fn officer_with(&self, username: &str, role: &str, place: &str) -> Officer {
        let password = self.add_officer(username, role, place).await;
        self.first_log_in(username, &password).await
    }

    /// Creates an officer; answers the one-time password.
    pub async fn add_officer(&self, username: &str, role: &str, place: &str) -> String {
        let new = NewOfficer::parse(username, "", role, place, &self.state.reference)
            .expect("a valid officer");
        officers::add(&self.state.store, None, new)
            .await
            .expect("officer added")
            .0
    }

    /// A first log-in, as a new officer does it: the one-time password, a password of their
    /// own, then the authenticator, with the code computed from the key on the page.
    pub async fn first_log_in(&self, username: &str, one_time: &str) -> Officer {
        let answer = self
            .post_form(
                "/console/login",
                &[("username", username), ("password", one_time)],
            )
            .await;
        assert_eq!(
            answer.status,
            StatusCode::SEE_OTHER,
            "log-in: {}",
            answer.body
        );
        assert_eq!(answer.header("location"), "/console/login/password");
        let cookie = answer.cookie_pair();
        assert!(cookie.starts_with("kmp_session="), "session cookie set");
        let mut officer = Officer {
            app: self.clone(),
            cookie,
            username: username.to_string(),
            password: "seven quiet mango trees by the Rupsha".to_string(),
            totp_key: String::new(),
            recovery_codes: Vec::new(),
        };
        let password = officer.password.clone();
        let chosen = officer
            .post_form(
                "/console/login/password",
                &[("new_password", &password), ("confirm_password", &password)],
            )
            .await;
        assert_eq!(
            chosen.status,
            StatusCode::SEE_OTHER,
            "password: {}",
            chosen.body
        );
        assert_eq!(chosen.header("location"), "/console/login/enrol");
        let enrol = officer.get("/console/login/enrol").await;
        officer.totp_key = enrol
            .attr("#totp-key", "data-key")
            .expect("key on the page");
        let code = totp_code(&officer.totp_key, 0);
        let done = officer
            .post_form("/console/login/enrol", &[("code", &code)])
            .await;
        assert_eq!(done.status, StatusCode::OK, "enrolment: {}", done.body);
        officer.recovery_codes = done.texts("#recovery-codes code");
        assert_eq!(officer.recovery_codes.len(), 10);
        assert_eq!(officer.get("/console/account").await.status, StatusCode::OK);
        officer
    }

    /// How many rows `table` holds.
    pub async fn count(&self, table: &str) -> i64 {
        let sql = format!("SELECT COUNT(*) FROM {table}");
        sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .fetch_one(self.state.store.reader())
            .await
            .expect("count")
    }

    /// Everything the installation keeps, as text: every file of the data folder and, on
    /// PostgreSQL, every value of every row. The store is closed first (so that SQLite's pages
    /// are all on disk) and cannot be used afterwards.
    pub async fn everything_stored(&self) -> String {
        let mut stored = String::new();
        if self.backend == Backend::Postgres {
            stored.push_str(&self.dump_database().await);
        }
        self.state.store.close().await;
        stored.push_str(&data_files_text(self.data_dir()));
        stored
    }

    /// Every value of every row of every table, as text: what an attacker with the database has.
    pub async fn dump_database(&self) -> String {
        let pool = self.state.store.reader();
        let tables: Vec<String> = match self.backend {
            Backend::Sqlite => sqlx::query_scalar(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations'",
            )
            .fetch_all(pool)
            .await
            .expect("tables"),
            Backend::Postgres => sqlx::query_scalar(
                "SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema()",
            )
            .fetch_all(pool)
            .await
            .expect("tables"),
        };
        let mut dump = String::new();
        for table in tables {
            let sql = match self.backend {
                Backend::Sqlite => format!("SELECT * FROM {table}"),
                Backend::Postgres => format!("SELECT t::text FROM {table} t"),
            };
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                .fetch_all(pool)
                .await
                .expect("rows");
            for row in rows {
                for i in 0..row.len() {
                    if let Ok(Some(text)) = row.try_get::<Option<String>, _>(i) {
                        dump.push_str(&text);
                    } else if let Ok(Some(bytes)) = row.try_get::<Option<Vec<u8>>, _>(i) {
                        dump.push_str(&String::from_utf8_lossy(&bytes));
                    }
                    dump.push('\t');
                }
                dump.push('\n');
            }
        }
        dump
    }
}

/// An officer's client: every request carries the session cookie.
#[derive(Clone)]
pub struct Officer {
    pub app: TestApp,
    pub cookie: String,
    pub username: String,
    pub password: String,
    /// The authenticator's key, base32.
    pub totp_key: String,
    pub recovery_codes: Vec<String>,
}

/// The authenticator's code `steps_ahead` time steps (30 s) from now.
pub fn totp_code(key: &str, steps_ahead: i64) -> String {
    let secret = totp_rs::Secret::try_from_base32(key).expect("base32 key");
    let totp = totp_rs::Builder::new()
        .with_secret(secret)
        .with_account_name("test")
        .build()
        .expect("authenticator");
    let at = hello_kmp::store::now() + 30 * steps_ahead;
    totp.generate(at as u64).to_string()
}

impl Officer {
    pub async fn get(&self, path: &str) -> Answer {
        self.app.get_with(path, &[("cookie", &self.cookie)]).await
    }

    /// A GET whose answer is handed back unread: a live stream.
    pub async fn open(&self, path: &str, headers: &[(&str, &str)]) -> axum::response::Response {
        let mut builder = Request::get(path).header("cookie", &self.cookie);
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        self.app
            .send_unread(builder.body(Body::empty()).expect("request"), "192.0.2.50")
            .await
    }

    /// The same officer's session, sent to another server (sessions live in the database).
    pub fn on(&self, app: &TestApp) -> Officer {
        Officer {
            app: app.clone(),
            ..self.clone()
        }
    }

    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> Answer {
        self.app
            .post_form_as(path, fields, &[("cookie", &self.cookie)], "192.0.2.50")
            .await
    }

    /// A `multipart/form-data` POST with the session cookie (files under the name `files`).
    pub async fn post_multipart(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        files: &[(&str, Vec<u8>)],
    ) -> Answer {
        let request = Request::post(path)
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .header("cookie", &self.cookie)
            .body(Body::from(multipart_body(fields, files)))
            .expect("request");
        self.app.send(request, "192.0.2.50").await
    }
}

pub fn form_body(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn encode(text: &str) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(byte as char)
            }
            b' ' => out.push('+'),
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
}

async fn admin_pool() -> sqlx::AnyPool {
    sqlx::any::install_default_drivers();
    sqlx::any::AnyPoolOptions::new()
        .max_connections(1)
        .connect(&pg_base_url())
        .await
        .expect("PostgreSQL at 127.0.0.1:5432 (trust auth, database test) is reachable")
}

pub async fn create_schema(schema: &str) {
    let pool = admin_pool().await;
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
        .execute(&pool)
        .await
        .expect("create schema");
    pool.close().await;
}

pub async fn drop_schema(schema: &str) {
    let pool = admin_pool().await;
    let _ = sqlx::query(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
        .execute(&pool)
        .await;
    pool.close().await;
}

/// The 25 ASCII digits of the receipt on a receipt page.
pub fn receipt_of(page: &Answer) -> String {
    page.text("#receipt-ascii")
        .chars()
        .filter(char::is_ascii_digit)
        .collect()
}

const BOUNDARY: &str = "kmp-test-boundary-5f2c9a";

/// A multipart body: text fields first, then the files, as a browser sends the tip form.
pub fn multipart_body(fields: &[(&str, &str)], files: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    for (file_name, bytes) in files {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"files\"; \
                 filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

/// A small photo made here: a gradient, `w` × `h`, as JPEG or PNG.
pub fn photo(format: image::ImageFormat, w: u32, h: u32) -> Vec<u8> {
    let image = image::DynamicImage::ImageRgb8(image::RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([(x * 7 % 256) as u8, (y * 5 % 256) as u8, 120])
    }));
    let mut out = Vec::new();
    image
        .write_to(&mut std::io::Cursor::new(&mut out), format)
        .expect("encode");
    out
}

/// A file of the geographic test data, which stays out of the repository: it is read from the
/// folder named by `KMP_GEO_DIR` (`scripts/test.sh` sets it to `../shared/data/geo`).
pub fn geo_file(name: &str) -> std::path::PathBuf {
    let dir = std::env::var_os("KMP_GEO_DIR").unwrap_or_else(|| {
        panic!(
            "KMP_GEO_DIR is not set: point it at the folder holding {name} (the shared test \
             data, ../shared/data/geo; scripts/test.sh sets it)"
        )
    });
    let path = std::path::Path::new(&dir).join(name);
    assert!(
        path.is_file(),
        "{} is missing: KMP_GEO_DIR must name the folder of the shared geographic test data",
        path.display()
    );
    path
}

/// Every file under `dir` (the data folder: database, key file, blobs), read as text, for tests
/// that look for what must never be stored.
pub fn data_files_text(dir: &Path) -> String {
    let mut out = String::new();
    for entry in std::fs::read_dir(dir).expect("read dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.push_str(&data_files_text(&path));
        } else {
            out.push_str(&String::from_utf8_lossy(
                &std::fs::read(&path).expect("read data file"),
            ));
        }
    }
    out
}

/// Everything logged, at every level, while its guard lives, kept to be read back: the privacy
/// tests look in it for what must never be logged.
#[derive(Clone, Default)]
pub struct LogCapture(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for LogCapture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("log buffer").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl LogCapture {
    /// Captures what this thread logs until the guard is dropped. With a current-thread runtime
    /// that is every task's log, the writer's included.
    pub fn start() -> (LogCapture, tracing::subscriber::DefaultGuard) {
        let logs = LogCapture::default();
        let sink = logs.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_writer(move || sink.clone())
            .finish();
        (logs, tracing::subscriber::set_default(subscriber))
    }

    /// What was logged so far.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().expect("log buffer")).into_owned()
    }
}
