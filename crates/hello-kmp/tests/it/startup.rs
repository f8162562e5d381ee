//! Starting and stopping: settings that stop start-up name the setting at fault, and the real
//! binary prints the first password once (never to the log), answers, and drains on SIGTERM.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use hello_kmp::config::{Overrides, Settings};

use crate::support;

/// The full error text of loading settings from a file holding `toml`.
fn settings_error(toml: &str) -> String {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("settings.toml");
    std::fs::write(&file, toml).expect("settings file written");
    let overrides = Overrides {
        config_file: Some(file),
        data_dir: Some(dir.path().join("data")),
        ..Default::default()
    };
    let err = Settings::load(&overrides).expect_err("the settings are refused");
    format!("{err:#}")
}

#[test]
fn a_valid_settings_file_is_read() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("settings.toml");
    std::fs::write(&file, "listen = \"127.0.0.1:9123\"\nretention_days = 30\n").expect("written");
    let overrides = Overrides {
        config_file: Some(file),
        ..Default::default()
    };
    let settings = Settings::load(&overrides).expect("valid settings load");
    assert_eq!(settings.listen.port(), 9123);
    assert_eq!(settings.retention_days, 30);
}

#[test]
fn a_misspelt_setting_is_named() {
    let text = settings_error("lissen = \"127.0.0.1:9000\"\n");
    assert!(text.contains("lissen"), "{text}");
}

#[test]
fn a_listen_address_that_is_not_one_is_named() {
    let text = settings_error("listen = \"not an address\"\n");
    assert!(text.contains("`listen`"), "{text}");
    assert!(!text.contains("unknown field"), "{text}");
}

#[test]
fn a_database_url_of_another_engine_is_named() {
    let text = settings_error("database_url = \"mysql://x\"\n");
    assert!(text.contains("database_url"), "{text}");
}

/// The binary, with none of the caller's settings in its environment or working folder.
pub(crate) fn hello_kmp(dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_hello-kmp"));
    command
        .args(args)
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .stdin(Stdio::null());
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("HELLO_KMP") {
            command.env_remove(name);
        }
    }
    command
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// The password line of the first start's terminal output.
fn printed_password(stdout: &str) -> Option<String> {
    stdout
        .lines()
        .find_map(|l| l.trim().strip_prefix("one-time password:"))
        .map(|p| p.trim().to_string())
}

/// A `serve` process with its output collected as it comes.
struct Server {
    child: Child,
    port: u16,
    stdout: Arc<Mutex<String>>,
    stderr: Arc<Mutex<String>>,
    readers: Vec<JoinHandle<()>>,
}

impl Server {
    fn start(dir: &Path, data: &Path, database_url: Option<&str>) -> Server {
        let port = free_port();
        let listen = format!("127.0.0.1:{port}");
        let data = data.to_str().expect("a UTF-8 path");
        let mut args = vec!["serve", "--data-dir", data, "--listen", &listen];
        if let Some(url) = database_url {
            args.extend(["--database-url", url]);
        }
        let mut child = hello_kmp(dir, &args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the binary starts");
        let (stdout, stderr) = (Arc::default(), Arc::default());
        let readers = vec![
            collect(child.stdout.take().expect("piped"), Arc::clone(&stdout)),
            collect(child.stderr.take().expect("piped"), Arc::clone(&stderr)),
        ];
        let mut server = Server {
            child,
            port,
            stdout,
            stderr,
            readers,
        };
        server.wait_until_healthy();
        server
    }

    fn wait_until_healthy(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(120);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                self.fail(&format!("exited before answering: {status}"));
            }
            if get(self.port, "/healthz").is_some_and(|r| r.status == 200) {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        self.fail("/healthz did not answer within 120 s");
    }

    fn stdout(&self) -> String {
        self.stdout.lock().expect("stdout lock").clone()
    }

    /// Sends SIGTERM and waits up to 10 s for the exit; returns it and the whole output.
    fn terminate(mut self) -> (ExitStatus, String, String) {
        self.signal_term();
        let status = self.wait_for_exit(Duration::from_secs(10));
        let (stdout, stderr) = self.output();
        (status, stdout, stderr)
    }

    fn signal_term(&self) {
        let sent = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(sent.success(), "SIGTERM sent");
    }

    fn wait_for_exit(&mut self, within: Duration) -> ExitStatus {
        let deadline = Instant::now() + within;
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().expect("process status") {
                return status;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        self.fail(&format!(
            "still running {} s after SIGTERM",
            within.as_secs()
        ));
    }

    /// Everything the process wrote, once it has exited.
    fn output(&mut self) -> (String, String) {
        for reader in self.readers.drain(..) {
            let _ = reader.join();
        }
        (
            self.stdout(),
            self.stderr.lock().expect("stderr lock").clone(),
        )
    }

    fn fail(&mut self, why: &str) -> ! {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let (stdout, stderr) = self.output();
        panic!("{why}\n--- stdout\n{stdout}\n--- stderr\n{stderr}");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn collect(stream: impl Read + Send + 'static, into: Arc<Mutex<String>>) -> JoinHandle<()> {
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            let mut text = into.lock().expect("output lock");
            text.push_str(&line);
            text.push('\n');
        }
    })
}

/// An HTTP answer read whole.
#[derive(Debug)]
struct Reply {
    status: u16,
    head: String,
    body: String,
}

/// The head of an HTTP/1.1 request that closes its connection after the answer.
fn request_head(method: &str, path: &str, body_len: Option<usize>) -> String {
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
    if let Some(len) = body_len {
        head.push_str("Content-Type: application/x-www-form-urlencoded\r\n");
        head.push_str(&format!("Content-Length: {len}\r\n"));
    }
    head.push_str("\r\n");
    head
}

fn connect(port: u16) -> std::io::Result<TcpStream> {
    let stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    Ok(stream)
}

/// `GET path`, or `None` when nothing answers.
fn get(port: u16, path: &str) -> Option<Reply> {
    let mut stream = connect(port).ok()?;
    stream
        .write_all(request_head("GET", path, None).as_bytes())
        .ok()?;
    read_reply(stream)
}

fn post_form(port: u16, path: &str, fields: &[(&str, &str)]) -> Reply {
    let body = support::form_body(fields);
    let mut stream = connect(port).expect("connects");
    let head = request_head("POST", path, Some(body.len()));
    stream
        .write_all(format!("{head}{body}").as_bytes())
        .expect("request sent");
    read_reply(stream).expect("an answer")
}

fn read_reply(mut stream: TcpStream) -> Option<Reply> {
    let mut bytes = Vec::new();
    stream.read_to_end(&mut bytes).ok()?;
    let split = bytes.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&bytes[..split]).into_owned();
    let status = head.split(' ').nth(1)?.parse().ok()?;
    let raw = &bytes[split + 4..];
    let body = if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        dechunk(raw)?
    } else {
        raw.to_vec()
    };
    Some(Reply {
        status,
        head,
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

fn dechunk(mut raw: &[u8]) -> Option<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let end = raw.windows(2).position(|w| w == b"\r\n")?;
        let line = std::str::from_utf8(&raw[..end]).ok()?;
        let size = usize::from_str_radix(line.split(';').next()?.trim(), 16).ok()?;
        if size == 0 {
            return Some(body);
        }
        let start = end + 2;
        body.extend_from_slice(raw.get(start..start + size)?);
        raw = raw.get(start + size + 2..)?;
    }
}

/// First start prints the password once and not to the log, the key file is private, SIGTERM
/// stops the server cleanly, and a second start prints no password.
fn first_and_second_start(database_url: Option<&str>) {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");

    let first = Server::start(dir.path(), &data, database_url);
    let health = get(first.port, "/healthz").expect("an answer");
    assert_eq!(health.status, 200);
    assert_eq!(health.body, "ok");
    let password = printed_password(&first.stdout()).expect("a password is printed");
    assert_eq!(password.len(), 20, "{password}");
    let login = post_form(
        first.port,
        "/console/login",
        &[("username", "admin"), ("password", &password)],
    );
    assert_eq!(login.status, 303, "the printed password logs in: {login:?}");
    assert!(login.head.contains("kmp_session="), "{}", login.head);
    let key = std::fs::metadata(data.join("hello-kmp.key")).expect("key file");
    assert_eq!(key.permissions().mode() & 0o777, 0o600);

    let (status, stdout, stderr) = first.terminate();
    assert!(status.success(), "{status}\n{stderr}");
    assert_eq!(stdout.matches("username: admin").count(), 1, "{stdout}");
    assert_eq!(stdout.matches("one-time password:").count(), 1, "{stdout}");
    assert!(!stderr.contains(&password), "the log holds no password");
    assert!(
        stderr.contains("serving"),
        "the log says it started: {stderr}"
    );

    let second = Server::start(dir.path(), &data, database_url);
    assert_eq!(
        get(second.port, "/healthz").map(|r| r.status),
        Some(200),
        "the second start answers"
    );
    let (status, stdout, stderr) = second.terminate();
    assert!(status.success(), "{status}\n{stderr}");
    assert!(!stdout.contains("password"), "no new password: {stdout}");
}

#[test]
fn serve_on_sqlite_starts_prints_the_password_once_and_stops_on_sigterm() {
    first_and_second_start(None);
}

/// A fresh PostgreSQL schema, dropped when the test ends however it ends.
struct Schema(String);

impl Drop for Schema {
    fn drop(&mut self) {
        block_on(support::drop_schema(&self.0));
    }
}

pub(crate) fn block_on<F: Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime")
        .block_on(future)
}

#[test]
fn serve_on_postgres_starts_prints_the_password_once_and_stops_on_sigterm() {
    let schema = Schema(format!("t_{}", hello_kmp::sealing::random_hex(8)));
    block_on(support::create_schema(&schema.0));
    let url = format!(
        "{}?options=-csearch_path%3D{}",
        support::pg_base_url(),
        schema.0
    );
    first_and_second_start(Some(&url));
}

pub(crate) fn run(dir: &Path, args: &[&str]) -> Output {
    hello_kmp(dir, args).output().expect("the binary runs")
}

#[test]
fn migrate_prints_the_password_once_and_only_the_first_time() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let data = data.to_str().expect("UTF-8 path");

    let first = run(dir.path(), &["migrate", "--data-dir", data]);
    let stdout = String::from_utf8_lossy(&first.stdout);
    let stderr = String::from_utf8_lossy(&first.stderr);
    assert!(first.status.success(), "{stderr}");
    assert_eq!(stdout.matches("one-time password:").count(), 1, "{stdout}");
    let password = printed_password(&stdout).expect("a password");
    assert!(!stderr.contains(&password), "the log holds no password");

    let again = run(dir.path(), &["migrate", "--data-dir", data]);
    assert!(again.status.success());
    assert!(!String::from_utf8_lossy(&again.stdout).contains("password"));
}

#[test]
fn a_bad_listen_flag_stops_start_up_and_names_the_setting() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let output = run(
        dir.path(),
        &[
            "serve",
            "--data-dir",
            data.to_str().expect("UTF-8 path"),
            "--listen",
            "nonsense",
        ],
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(stderr.contains("listen"), "{stderr}");
    assert!(
        !data.exists(),
        "nothing is created before the settings are good"
    );
}

/// A tip whose body is still arriving when SIGTERM comes is finished and answered; new
/// connections are refused meanwhile; then the process exits cleanly.
#[test]
fn sigterm_lets_a_tip_in_flight_finish() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut server = Server::start(dir.path(), &dir.path().join("data"), None);
    let body = support::form_body(&[
        ("category", "drugs"),
        ("description", "drain-test tip sent while stopping"),
        ("thana", "sonadanga"),
    ]);
    let (early, late) = body.split_at(body.len() / 2);
    let mut stream = connect(server.port).expect("connects");
    stream
        .write_all(format!("{}{early}", request_head("POST", "/tips", Some(body.len()))).as_bytes())
        .expect("first half sent");
    std::thread::sleep(Duration::from_millis(500));

    server.signal_term();
    std::thread::sleep(Duration::from_millis(500));
    assert!(
        matches!(server.child.try_wait(), Ok(None)),
        "the server waits for the request in flight"
    );
    assert!(
        connect(server.port).is_err(),
        "no new connections while draining"
    );

    stream.write_all(late.as_bytes()).expect("second half sent");
    let reply = read_reply(stream).expect("the tip is answered");
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert!(
        reply.body.contains("id=\"receipt-ascii\""),
        "{}",
        reply.body
    );

    let status = server.wait_for_exit(Duration::from_secs(10));
    assert!(status.success(), "{status}");
}

/// One data folder serves one SQLite server; a database refuses a key file not its own.
#[test]
fn a_second_server_on_the_folder_or_a_foreign_key_file_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let first = Server::start(dir.path(), &data, None);
    let second = hello_kmp(
        dir.path(),
        &["migrate", "--data-dir", data.to_str().expect("path")],
    )
    .output()
    .expect("runs");
    assert!(!second.status.success());
    assert!(String::from_utf8_lossy(&second.stderr).contains("another hello-kmp server"));
    let (stopped, _, _) = first.terminate();
    assert!(stopped.success());

    let other_key = dir.path().join("other.key");
    let foreign = hello_kmp(
        dir.path(),
        &["migrate", "--data-dir", data.to_str().expect("path")],
    )
    .env("HELLO_KMP_KEY_FILE", &other_key)
    .output()
    .expect("runs");
    assert!(!foreign.status.success());
    assert!(String::from_utf8_lossy(&foreign.stderr).contains("key file does not belong"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&data)
            .expect("data folder")
            .permissions()
            .mode();
        assert_eq!(
            mode & 0o777,
            0o700,
            "the data folder is the service's alone"
        );
    }
}
