//! The command line beside a server: settings from the environment, `user …`, `audit verify`.

use crate::startup::{block_on, hello_kmp, run};

/// `HELLO_KMP_<SETTING>` is read, a bad value is named, and a misspelt variable stops start-up.
#[test]
fn settings_from_the_environment_are_read_and_checked() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let data = data.to_str().expect("UTF-8 path");
    for (name, value, named) in [
        ("HELLO_KMP_LISTEN", "nonsense", "listen"),
        ("HELLO_KMP_RETENTION_DAYS", "abc", "retention_days"),
        ("HELLO_KMP_LISTN", "127.0.0.1:9", "listn"),
        ("HELLO_KMP_AREA__MIN_LAT", "north", "area.min_lat"),
        (
            "HELLO_KMP_JURISDICTION_MARGIN_M",
            "-5",
            "jurisdiction_margin_m",
        ),
        (
            "HELLO_KMP_BLOBS__S3_ENDPOINT",
            "http://127.0.0.1:9",
            "blobs.s3_bucket",
        ),
        (
            "HELLO_KMP_ATTACHMENTS__MAX_FILES",
            "0",
            "attachments.max_files",
        ),
        (
            "HELLO_KMP_ATTACHMENTS__VIDEO_MAX_MB",
            "5000",
            "attachments.video_max_mb",
        ),
    ] {
        let output = hello_kmp(dir.path(), &["migrate", "--data-dir", data])
            .env(name, value)
            .output()
            .expect("runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            !output.status.success(),
            "{name}={value} must stop start-up"
        );
        assert!(stderr.contains(named), "{name}: {stderr}");
    }
    let output = hello_kmp(dir.path(), &["migrate", "--data-dir", data])
        .env("HELLO_KMP_RETENTION_DAYS", "30")
        .env("HELLO_KMP_AREA__MIN_LAT", "22.5")
        .env("HELLO_KMP_ATTACHMENTS__MAX_FILES", "3")
        .output()
        .expect("runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// `hello-kmp audit verify` says the log is intact, then names an entry edited in the database.
#[test]
fn audit_verify_names_an_edited_entry() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let data_arg = data.to_str().expect("UTF-8 path");
    assert!(
        run(dir.path(), &["migrate", "--data-dir", data_arg])
            .status
            .success()
    );
    let intact = run(dir.path(), &["audit", "verify", "--data-dir", data_arg]);
    assert!(
        intact.status.success(),
        "{}",
        String::from_utf8_lossy(&intact.stderr)
    );
    assert!(String::from_utf8_lossy(&intact.stdout).contains("intact: 1 entries"));

    block_on(async {
        sqlx::any::install_default_drivers();
        let url = format!("sqlite://{}", data.join("hello-kmp.db").display());
        let pool = sqlx::AnyPool::connect(&url).await.expect("database opens");
        sqlx::query("UPDATE audit_log SET detail = 'officer 99' WHERE seq = 1")
            .execute(&pool)
            .await
            .expect("edit");
        pool.close().await;
    });
    let broken = run(dir.path(), &["audit", "verify", "--data-dir", data_arg]);
    assert!(!broken.status.success());
    let stderr = String::from_utf8_lossy(&broken.stderr);
    assert!(stderr.contains("broken at entry 1"), "{stderr}");
    let nowhere = run(
        dir.path(),
        &["audit", "verify", "--data-dir", "no-such-folder"],
    );
    assert!(!nowhere.status.success(), "no database is made up");
}

/// `hello-kmp user add | list | disable | reset-password` against the database a server made.
#[test]
fn officers_are_managed_from_the_command_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let data = data.to_str().expect("UTF-8 path");
    assert!(
        run(dir.path(), &["migrate", "--data-dir", data])
            .status
            .success()
    );
    let user = |args: &[&str]| {
        let mut all = vec!["user"];
        all.extend_from_slice(args);
        all.extend(["--data-dir", data]);
        run(dir.path(), &all)
    };
    let added = user(&[
        "add",
        "--username",
        "rahim",
        "--role",
        "thana_officer",
        "--place",
        "sonadanga",
    ]);
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    let stdout = String::from_utf8_lossy(&added.stdout);
    assert!(stdout.contains("One-time password: "), "{stdout}");
    let wrong = user(&[
        "add",
        "--username",
        "karim",
        "--role",
        "thana_officer",
        "--place",
        "detective_branch",
    ]);
    assert!(!wrong.status.success());
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("does not fit the role"));
    let listed = String::from_utf8_lossy(&user(&["list"]).stdout).into_owned();
    assert!(
        listed.contains("rahim") && listed.contains("sonadanga") && listed.contains("admin"),
        "{listed}"
    );
    assert!(user(&["disable", "rahim"]).status.success());
    let listed = String::from_utf8_lossy(&user(&["list"]).stdout).into_owned();
    let rahim = listed
        .lines()
        .find(|l| l.starts_with("rahim"))
        .expect("rahim listed");
    assert!(rahim.contains("disabled"), "{rahim}");
    let reset = user(&["reset-password", "admin"]);
    assert!(String::from_utf8_lossy(&reset.stdout).contains("New one-time password for admin"));
    assert!(!user(&["disable", "nobody"]).status.success());

    assert!(user(&["enable", "rahim"]).status.success());
    // A lock and an enrolled authenticator, as if rahim had used the console.
    let db = dir.path().join("data").join("hello-kmp.db");
    block_on(async {
        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(&format!("sqlite://{}", db.display()))
            .await
            .expect("database");
        sqlx::query(
            "UPDATE officers SET locked_until = 4000000000, failed_logins = 10, \
             totp_sealed = x'00' WHERE username = 'rahim'",
        )
        .execute(&pool)
        .await
        .expect("lock rahim");
        pool.close().await;
    });
    let rahim_line = || {
        let listed = String::from_utf8_lossy(&user(&["list"]).stdout).into_owned();
        listed
            .lines()
            .find(|l| l.starts_with("rahim"))
            .expect("rahim listed")
            .to_string()
    };
    assert!(rahim_line().contains("locked"), "{}", rahim_line());
    let unlocked = user(&["unlock", "rahim"]);
    assert!(String::from_utf8_lossy(&unlocked.stdout).contains("unlocked"));
    assert!(rahim_line().contains("new password"), "{}", rahim_line());
    let reset = user(&["reset-2fa", "rahim"]);
    assert!(reset.status.success());
    assert!(
        String::from_utf8_lossy(&reset.stdout).contains("enrol a")
            && String::from_utf8_lossy(&reset.stdout).contains("One-time password: "),
        "{}",
        String::from_utf8_lossy(&reset.stderr)
    );
    block_on(async {
        let pool = sqlx::AnyPool::connect(&format!("sqlite://{}", db.display()))
            .await
            .expect("database");
        let enrolled: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM officers WHERE username = 'rahim' AND totp_sealed IS NOT NULL",
        )
        .fetch_one(&pool)
        .await
        .expect("count");
        assert_eq!(enrolled, 0);
        let actions: Vec<String> = sqlx::query_scalar(
            "SELECT action FROM audit_log WHERE action IN ('account.unlock', 'account.reset_2fa', \
             'account.enable') ORDER BY seq",
        )
        .fetch_all(&pool)
        .await
        .expect("audit");
        assert_eq!(
            actions,
            ["account.enable", "account.unlock", "account.reset_2fa"]
        );
        pool.close().await;
    });
}
