//! Photos with a tip: metadata removed before anything is stored, sealed at rest, downloaded by
//! officers with their hash, and every bad file refused with nothing left behind.

use std::path::Path;
use std::process::Command;

use axum::http::StatusCode;
use image::ImageFormat;
use sha2::{Digest, Sha256};

use crate::on_both;
use crate::support::{Answer, TestApp, photo};

const TEXT: [(&str, &str); 3] = [
    ("category", "drugs"),
    ("thana", "sonadanga"),
    ("description", "ছবিতে দোকানটি দেখা যাচ্ছে shop-in-photo"),
];

/// Writes `bytes` to a file in `dir` and runs exiftool on it with `args`.
pub(crate) fn exiftool(dir: &Path, name: &str, bytes: &[u8], args: &[&str]) -> Vec<u8> {
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write fixture");
    let output = Command::new("exiftool")
        .args(["-q", "-overwrite_original"])
        .args(args)
        .arg(&path)
        .output()
        .expect("exiftool runs (scripts/test.sh installs libimage-exiftool-perl)");
    assert!(
        output.status.success(),
        "exiftool: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    std::fs::read(&path).expect("read fixture")
}

/// Every tag exiftool finds in `bytes`, as `group:tag` names.
pub(crate) fn tags(dir: &Path, bytes: &[u8]) -> Vec<String> {
    let path = dir.join("inspect.bin");
    std::fs::write(&path, bytes).expect("write");
    let output = Command::new("exiftool")
        .args(["-j", "-a", "-G1", "-s"])
        .arg(&path)
        .output()
        .expect("exiftool");
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("exiftool json");
    json[0]
        .as_object()
        .expect("one file")
        .keys()
        .cloned()
        .collect()
}

/// A JPEG carrying everything that could betray its sender.
pub(crate) fn telling_jpeg(dir: &Path, orientation: &str) -> Vec<u8> {
    let thumb = photo(ImageFormat::Jpeg, 16, 12);
    std::fs::write(dir.join("thumb.jpg"), &thumb).expect("thumb");
    let thumb_arg = format!("-ThumbnailImage<={}", dir.join("thumb.jpg").display());
    let orientation = format!("-Orientation#={orientation}");
    exiftool(
        dir,
        "telling.jpg",
        &photo(ImageFormat::Jpeg, 40, 30),
        &[
            "-GPSLatitude=22.8201",
            "-GPSLatitudeRef=N",
            "-GPSLongitude=89.5512",
            "-GPSLongitudeRef=E",
            "-Make=TellTale",
            "-Model=Phone-7",
            "-SerialNumber=SN-0042",
            "-DateTimeOriginal=2026:12:01 21:15:00",
            "-XMP-dc:Creator=Rahim Uddin",
            "-XMP-exif:GPSLatitude=22.8201",
            "-IPTC:City=Khulna",
            "-Comment=sent by rahim",
            &orientation,
            &thumb_arg,
        ],
    )
}

/// The stored copy of the only attachment, opened with the installation's keys.
async fn stored_file(app: &TestApp) -> (Vec<u8>, String, i64, i64) {
    let (uid, key_sealed, sha256, width, height): (String, Vec<u8>, String, i64, i64) =
        sqlx::query_as("SELECT uid, key_sealed, sha256, width, height FROM attachments")
            .fetch_one(app.state.store.reader())
            .await
            .expect("one attachment");
    let bytes = app
        .state
        .blobs
        .open(&app.state.keys, &uid, &key_sealed)
        .await
        .expect("opens");
    assert_eq!(hex::encode(Sha256::digest(&bytes)), sha256);
    (bytes, sha256, width, height)
}

/// Every file in the blob store's folder.
fn blob_files(app: &TestApp) -> Vec<String> {
    std::fs::read_dir(app.data_dir().join("blobs").join("attachments"))
        .map(|d| {
            d.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// Photos in the blob store, each of which must have its thumbnail beside it.
fn blob_count(app: &TestApp) -> usize {
    let files = blob_files(app);
    let photos: Vec<&String> = files.iter().filter(|f| !f.ends_with("-thumb")).collect();
    assert_eq!(
        files.len(),
        photos.len() * 2,
        "a thumbnail per photo: {files:?}"
    );
    photos.len()
}

on_both!(
    a_photo_loses_every_identifying_detail_and_stays_upright,
    |app: TestApp| async move {
        let dir = tempfile::tempdir().expect("dir");
        let telling = telling_jpeg(dir.path(), "6");
        let before = tags(dir.path(), &telling);
        for tag in [
            "GPS:GPSLatitude",
            "IFD0:Make",
            "IFD0:Model",
            "XMP-dc:Creator",
            "IFD1:ThumbnailImage",
        ] {
            assert!(
                before.contains(&tag.to_string()),
                "fixture has {tag}: {before:?}"
            );
        }
        let sent = app
            .post_multipart("/tips", &TEXT, &[("IMG_2041.jpg", telling)])
            .await;
        assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
        assert!(sent.has("#receipt-bn"));

        let (clean, _, width, height) = stored_file(&app).await;
        assert_eq!(
            (width, height),
            (30, 40),
            "orientation 6 applied: turned upright"
        );
        let decoded = image::load_from_memory(&clean).expect("a valid image");
        assert_eq!((decoded.width(), decoded.height()), (30, 40));
        let after = tags(dir.path(), &clean);
        for group in [
            "GPS",
            "IFD0",
            "IFD1",
            "ExifIFD",
            "XMP-dc",
            "XMP-exif",
            "IPTC",
            "File:Comment",
        ] {
            assert!(
                !after.iter().any(|t| t.starts_with(group)),
                "{group} survived: {after:?}"
            );
        }
        let raw = String::from_utf8_lossy(&clean);
        for word in ["TellTale", "Phone-7", "SN-0042", "Rahim", "rahim", "Khulna"] {
            assert!(!raw.contains(word), "{word} in the stored file");
        }
        // At rest the file is sealed: none of the clean bytes appear in the blob.
        let blob_dir = app.data_dir().join("blobs").join("attachments");
        let blob = std::fs::read_dir(&blob_dir)
            .expect("blob dir")
            .next()
            .expect("one blob")
            .expect("entry");
        let sealed = std::fs::read(blob.path()).expect("blob");
        assert!(!sealed.windows(32).any(|w| w == &clean[clean.len() - 32..]));
    }
);

on_both!(
    orientation_8_is_turned_the_other_way,
    |app: TestApp| async move {
        let dir = tempfile::tempdir().expect("dir");
        let telling = telling_jpeg(dir.path(), "8");
        let sent = app
            .post_multipart("/tips", &TEXT, &[("a.jpg", telling)])
            .await;
        assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
        let (_, _, width, height) = stored_file(&app).await;
        assert_eq!((width, height), (30, 40));
    }
);

on_both!(
    a_png_loses_its_text_exif_and_xmp,
    |app: TestApp| async move {
        let dir = tempfile::tempdir().expect("dir");
        let png = exiftool(
            dir.path(),
            "telling.png",
            &photo(ImageFormat::Png, 20, 20),
            &[
                "-PNG:Comment=sent by rahim",
                "-XMP-dc:Creator=Rahim Uddin",
                "-EXIF:Make=TellTale",
                "-EXIF:GPSLatitude=22.8201",
            ],
        );
        let sent = app.post_multipart("/tips", &TEXT, &[("x.png", png)]).await;
        assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
        let (clean, ..) = stored_file(&app).await;
        let after = tags(dir.path(), &clean);
        assert!(
            !after.iter().any(|t| t.contains("GPS")
                || t.contains("Make")
                || t.contains("Creator")
                || t.contains("Comment")),
            "{after:?}"
        );
    }
);

on_both!(
    officers_download_the_clean_file_with_its_hash_and_it_is_audited,
    |app: TestApp| async move {
        let sent = app
            .post_multipart(
                "/tips",
                &TEXT,
                &[
                    ("one.jpg", photo(ImageFormat::Jpeg, 64, 48)),
                    ("two.png", photo(ImageFormat::Png, 10, 10)),
                ],
            )
            .await;
        let reference = sent.text("#tip-reference");
        let admin = app.officer().await;
        let page = admin.get(&format!("/console/tips/{reference}")).await;
        let links = page.texts("#files a.file-link");
        assert_eq!(links.len(), 2);
        assert_eq!(
            page.texts("#files .flag.clean").len(),
            2,
            "metadata removed, shown"
        );
        let shown_hash = page.texts("#files code.sha256")[0].clone();
        let href = page.attr("#files a.file-link", "href").expect("link");
        let download = admin.get(&href).await;
        assert_eq!(download.status, StatusCode::OK, "{href}: {}", download.body);
        assert_eq!(download.header("content-type"), "image/jpeg");
        assert_eq!(download.header("x-content-type-options"), "nosniff");
        assert!(
            download
                .header("content-disposition")
                .starts_with(&format!("attachment; filename=\"{reference}-1.jpg\"")),
            "{}",
            download.header("content-disposition")
        );
        let bytes = download_bytes(&app, &admin.cookie, &href).await;
        assert_eq!(hex::encode(Sha256::digest(&bytes)), shown_hash);
        assert!(download.header("repr-digest").starts_with("sha-256=:"));
        let audited: Vec<String> =
            sqlx::query_scalar("SELECT detail FROM audit_log WHERE action = 'attachment.download'")
                .fetch_all(app.state.store.reader())
                .await
                .expect("audit");
        let entry = format!("file 1 sha256 {shown_hash}");
        assert_eq!(audited, [entry.clone(), entry], "each of the two downloads");
        // Another desk's officer may not, and the refusal is audited.
        let other = app
            .officer_with("karim", "thana_officer", "khalishpur")
            .await;
        assert_eq!(other.get(&href).await.status, StatusCode::FORBIDDEN);
        let thumb_src = page.attr("#files img.thumb", "src").expect("a thumbnail");
        let thumb = download_bytes(&app, &admin.cookie, &thumb_src).await;
        let small = image::load_from_memory(&thumb).expect("a JPEG");
        assert!(small.width() <= 320 && small.height() <= 320);
        assert_eq!(
            app.count("audit_log WHERE action = 'attachment.thumbnail'")
                .await,
            1
        );
        assert_eq!(other.get(&thumb_src).await.status, StatusCode::FORBIDDEN);
        let unknown = admin
            .get(&format!("/console/tips/{reference}/attachments/0000"))
            .await;
        assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    }
);

/// The raw bytes of a download (the test client reads bodies as text).
pub(crate) async fn download_bytes(app: &TestApp, cookie: &str, path: &str) -> Vec<u8> {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let request = axum::http::Request::get(path)
        .header("cookie", cookie)
        .extension(axum::extract::ConnectInfo(std::net::SocketAddr::from((
            [192, 0, 2, 9],
            4000,
        ))))
        .body(axum::body::Body::empty())
        .expect("request");
    let response = app.router.clone().oneshot(request).await.expect("answer");
    response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes()
        .to_vec()
}

/// Files as the test client sends them: a name and the bytes.
type Files = Vec<(&'static str, Vec<u8>)>;

/// A refusal keeps the text, names the problem in both languages, and leaves nothing behind.
async fn refused(app: &TestApp, answer: &Answer, status: StatusCode, bn: &str, en: &str) {
    assert_eq!(answer.status, status, "{}", answer.body);
    let error = answer.texts(".error").join(" ");
    assert!(error.contains(bn), "Bangla {bn:?} in {error:?}");
    assert!(error.contains(en), "English {en:?} in {error:?}");
    assert!(
        answer.text("#description").contains("shop-in-photo"),
        "the tip's text is kept"
    );
    assert_eq!(app.count("tips").await, 0, "no tip");
    assert_eq!(app.count("attachments").await, 0, "no record");
    assert_eq!(blob_count(app), 0, "no file");
}

on_both!(
    bad_files_are_refused_and_nothing_is_kept,
    |app: TestApp| async move {
        let jpeg = photo(ImageFormat::Jpeg, 40, 30);
        let cases: Vec<(Files, StatusCode, &str, &str)> = vec![
            (
                vec![("empty.jpg", Vec::new())],
                StatusCode::UNPROCESSABLE_ENTITY,
                "খালি",
                "is empty",
            ),
            (
                vec![("cut.jpg", jpeg[..jpeg.len() / 2].to_vec())],
                StatusCode::UNPROCESSABLE_ENTITY,
                "নষ্ট",
                "damaged",
            ),
            (
                vec![(
                    "notes.jpg",
                    b"just some text that says it is a photo".to_vec(),
                )],
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "JPEG, PNG, WebP ও HEIC",
                "JPEG, PNG, WebP and HEIC",
            ),
            (
                vec![(
                    "poly.jpg",
                    [jpeg.clone(), b"PK\x03\x04hidden archive".to_vec()].concat(),
                )],
                StatusCode::UNPROCESSABLE_ENTITY,
                "লুকানো",
                "hides other data",
            ),
            (
                vec![(
                    "poly.amr",
                    [
                        b"#!AMR\n\x3c".to_vec(),
                        vec![9; 31],
                        b"PK\x03\x04hidden archive".to_vec(),
                    ]
                    .concat(),
                )],
                StatusCode::UNPROCESSABLE_ENTITY,
                "লুকানো",
                "hides other data",
            ),
            (
                vec![("bomb.png", png_bomb())],
                StatusCode::UNPROCESSABLE_ENTITY,
                "পিক্সেল",
                "too large in pixels",
            ),
            (
                (0..6).map(|_| ("p.jpg", jpeg.clone())).collect(),
                StatusCode::UNPROCESSABLE_ENTITY,
                "সর্বোচ্চ ৫টি",
                "at most 5 files",
            ),
            (
                vec![(
                    "big.jpg",
                    [
                        jpeg.clone(),
                        vec![0; hello_kmp::domain::media::IMAGE_MAX_BYTES],
                    ]
                    .concat(),
                )],
                StatusCode::PAYLOAD_TOO_LARGE,
                "২৫ মেগাবাইট পর্যন্ত",
                "up to 25 MB",
            ),
        ];
        for (files, status, bn, en) in cases {
            let answer = app.post_multipart("/tips", &TEXT, &files).await;
            refused(&app, &answer, status, bn, en).await;
        }
        // Bad text with a good photo: the text is refused, the photo not kept.
        let bad_text = app
            .post_multipart(
                "/tips",
                &[("category", "drugs"), ("description", "   ")],
                &[("ok.jpg", jpeg.clone())],
            )
            .await;
        assert_eq!(bad_text.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(blob_count(&app), 0);
        // A photo whose name lies about its kind is taken for what it is.
        let png_named_jpg = app
            .post_multipart(
                "/tips",
                &TEXT,
                &[("photo.jpg", photo(ImageFormat::Png, 8, 8))],
            )
            .await;
        assert_eq!(png_named_jpg.status, StatusCode::OK);
        assert_eq!(app.count("attachments").await, 1);
    }
);

on_both!(
    a_resent_form_keeps_one_set_of_files,
    |app: TestApp| async move {
        let fields = [
            ("category", "theft"),
            ("description", "ছবি সহ shop-in-photo"),
            ("form_token", "abcdef0123456789abcdef0123456789"),
        ];
        let files = || vec![("a.jpg", photo(ImageFormat::Jpeg, 20, 20))];
        let first = app.post_multipart("/tips", &fields, &files()).await;
        let again = app.post_multipart("/tips", &fields, &files()).await;
        assert_eq!(again.text("#tip-reference"), first.text("#tip-reference"));
        assert_eq!(app.count("tips").await, 1);
        assert_eq!(app.count("attachments").await, 1);
        assert_eq!(blob_count(&app), 1, "the resend's copy was deleted");
    }
);

/// A PNG that declares 50,000 × 50,000 pixels in a few dozen bytes.
fn png_bomb() -> Vec<u8> {
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&50_000u32.to_be_bytes());
    ihdr.extend_from_slice(&50_000u32.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    for (kind, data) in [
        (&b"IHDR"[..], ihdr),
        (b"IDAT", vec![0x78, 0x9c, 0x03, 0]),
        (b"IEND", vec![]),
    ] {
        png.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let mut covered = kind.to_vec();
        covered.extend_from_slice(&data);
        png.extend_from_slice(&covered);
        png.extend_from_slice(&crc32(&covered).to_be_bytes());
    }
    png
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for byte in bytes {
        crc ^= u32::from(*byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

on_both!(
    the_tipster_adds_photos_later_up_to_five_in_all,
    |app: TestApp| async move {
        let sent = app
            .post_multipart(
                "/tips",
                &TEXT,
                &(0..4)
                    .map(|_| ("p.jpg", photo(ImageFormat::Jpeg, 12, 12)))
                    .collect::<Vec<_>>(),
            )
            .await;
        let receipt = crate::support::receipt_of(&sent);
        let two = vec![
            ("a.jpg", photo(ImageFormat::Jpeg, 12, 12)),
            ("b.jpg", photo(ImageFormat::Jpeg, 12, 12)),
        ];
        // Two more would make six: refused, the message kept, nothing stored.
        let over = app
            .post_multipart(
                "/follow-up/messages",
                &[("receipt", &receipt), ("message", "two more photos")],
                &two,
            )
            .await;
        assert_eq!(
            over.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            over.body
        );
        assert!(over.text(".error").contains("at most 5 files"));
        assert_eq!(over.text("#message"), "two more photos");
        assert_eq!(app.count("attachments").await, 4);
        assert_eq!(app.count("tip_messages").await, 0);
        assert_eq!(blob_count(&app), 4);
        // One more is the fifth.
        let fifth = app
            .post_multipart(
                "/follow-up/messages",
                &[("receipt", &receipt), ("message", "the back door")],
                &[("c.png", photo(ImageFormat::Png, 9, 9))],
            )
            .await;
        assert_eq!(fifth.status, StatusCode::OK, "{}", fifth.body);
        assert!(fifth.has("#sent-notice"));
        assert_eq!(app.count("attachments").await, 5);
        assert_eq!(blob_count(&app), 5);
        // A wrong receipt keeps nothing either.
        let wrong = app
            .post_multipart(
                "/follow-up/messages",
                &[("receipt", "1234567890123456789012345"), ("message", "x")],
                &[("d.jpg", photo(ImageFormat::Jpeg, 9, 9))],
            )
            .await;
        assert_eq!(wrong.status, StatusCode::NOT_FOUND);
        assert_eq!(blob_count(&app), 5);
    }
);

/// A real S3-compatible server for one test: `s3s-fs` (scripts/test.sh installs it) on a free
/// port, over a temporary folder in which each bucket is a directory.
struct S3Server {
    child: std::process::Child,
    root: tempfile::TempDir,
    endpoint: String,
}

impl S3Server {
    fn start() -> S3Server {
        let binary = std::env::var("KMP_TEST_S3FS").unwrap_or_else(|_| {
            let home = std::env::var("HOME").unwrap_or_default();
            format!("{home}/.cache/hello-kmp/tools/bin/s3s-fs")
        });
        let root = tempfile::tempdir().expect("s3 root");
        std::fs::create_dir(root.path().join("evidence")).expect("bucket");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let child = Command::new(&binary)
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .args([
                "--access-key",
                "kmp-test",
                "--secret-key",
                "kmp-test-secret",
            ])
            .arg(root.path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("{binary} runs (scripts/test.sh installs s3s-fs): {e}"));
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        S3Server {
            child,
            root,
            endpoint: format!("http://127.0.0.1:{port}"),
        }
    }

    fn settings(&self) -> hello_kmp::config::BlobSettings {
        hello_kmp::config::BlobSettings {
            s3_endpoint: Some(self.endpoint.clone()),
            s3_bucket: Some("evidence".into()),
            s3_region: None,
            s3_access_key: Some("kmp-test".into()),
            s3_secret_key: Some("kmp-test-secret".into()),
        }
    }

    /// The objects in the bucket, by key.
    fn objects(&self) -> Vec<String> {
        std::fs::read_dir(self.root.path().join("evidence").join("attachments"))
            .map(|d| {
                d.filter_map(|e| e.ok())
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .filter(|n| !n.starts_with('.'))
                    .collect()
            })
            .unwrap_or_default()
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

on_both!(
    photos_are_kept_in_s3_compatible_storage_when_configured,
    |plain: TestApp| async move {
        let s3 = S3Server::start();
        let blobs = s3.settings();
        let app = TestApp::start_with(plain.backend, |s| s.blobs = blobs).await;
        // A refused photo leaves nothing in the bucket either.
        let refused = app
            .post_multipart("/tips", &TEXT, &[("bad.jpg", b"not a photo".to_vec())])
            .await;
        assert_eq!(refused.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        assert!(s3.objects().is_empty(), "{:?}", s3.objects());

        let sent = app
            .post_multipart(
                "/tips",
                &TEXT,
                &[("a.jpg", photo(ImageFormat::Jpeg, 48, 36))],
            )
            .await;
        assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
        let objects = s3.objects();
        assert_eq!(objects.len(), 2, "the photo and its thumbnail: {objects:?}");
        assert!(
            !app.data_dir().join("blobs").join("attachments").exists(),
            "nothing in the local folder"
        );
        let (clean, sha256, ..) = stored_file(&app).await;
        let uid: String = sqlx::query_scalar("SELECT uid FROM attachments")
            .fetch_one(app.state.store.reader())
            .await
            .expect("uid");
        let in_bucket = std::fs::read(
            s3.root
                .path()
                .join("evidence")
                .join("attachments")
                .join(&uid),
        )
        .expect("the object on the S3 server's disk");
        assert!(
            !in_bucket
                .windows(32)
                .any(|w| w == &clean[clean.len() - 32..]),
            "sealed in the bucket"
        );
        let reference = sent.text("#tip-reference");
        let admin = app.officer().await;
        let page = admin.get(&format!("/console/tips/{reference}")).await;
        let href = page.attr("#files a.file-link", "href").expect("link");
        let bytes = download_bytes(&app, &admin.cookie, &href).await;
        assert_eq!(hex::encode(Sha256::digest(&bytes)), sha256);
        // A good photo followed by a bad one: the good one, already in the bucket, is deleted.
        let half = app
            .post_multipart(
                "/tips",
                &TEXT,
                &[
                    ("good.jpg", photo(ImageFormat::Jpeg, 20, 20)),
                    ("bad.jpg", b"not a photo".to_vec()),
                ],
            )
            .await;
        assert_eq!(half.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        assert_eq!(s3.objects().len(), 2, "{:?}", s3.objects());
        app.finish().await;
    }
);

/// A small but well-formed movie (or, with `audio`, an M4A voice note): ftyp, moov with dated
/// movie, track and media headers, and the media data.
fn movie(audio: bool) -> Vec<u8> {
    fn boxed(kind: &[u8], payload: &[u8]) -> Vec<u8> {
        let mut b = ((payload.len() + 8) as u32).to_be_bytes().to_vec();
        b.extend_from_slice(kind);
        b.extend_from_slice(payload);
        b
    }
    let be = |n: u32| n.to_be_bytes().to_vec();
    let matrix: Vec<u8> = [0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x4000_0000]
        .iter()
        .flat_map(|n: &u32| n.to_be_bytes())
        .collect();
    let brand: &[u8] = if audio { b"M4A " } else { b"isom" };
    let ftyp = boxed(b"ftyp", &[brand, &be(0x200), b"isomiso2mp41"].concat());
    let mvhd = boxed(
        b"mvhd",
        &[
            be(0),
            be(0),
            be(0),
            be(1000),
            be(1000),
            be(0x10000),
            vec![1, 0],
            vec![0; 10],
            matrix.clone(),
            vec![0; 24],
            be(2),
        ]
        .concat(),
    );
    let tkhd = boxed(
        b"tkhd",
        &[
            be(3),
            be(0),
            be(0),
            be(1),
            be(0),
            be(1000),
            vec![0; 16],
            matrix,
            be(320 << 16),
            be(240 << 16),
        ]
        .concat(),
    );
    let mdhd = boxed(
        b"mdhd",
        &[
            be(0),
            be(0),
            be(0),
            be(1000),
            be(1000),
            vec![0x55, 0xc4, 0, 0],
        ]
        .concat(),
    );
    let handler: &[u8] = if audio { b"soun" } else { b"vide" };
    let hdlr = boxed(
        b"hdlr",
        &[
            be(0),
            be(0),
            handler.to_vec(),
            vec![0; 12],
            b"Handler\0".to_vec(),
        ]
        .concat(),
    );
    let trak = boxed(
        b"trak",
        &[tkhd, boxed(b"mdia", &[mdhd, hdlr].concat())].concat(),
    );
    let moov = boxed(b"moov", &[mvhd, trak].concat());
    [ftyp, moov, boxed(b"mdat", &[7u8; 4000])].concat()
}

/// The same movie carrying location, device, author and date, written by exiftool.
fn telling_movie(dir: &Path, audio: bool) -> Vec<u8> {
    exiftool(
        dir,
        if audio { "note.m4a" } else { "clip.mp4" },
        &movie(audio),
        &[
            "-QuickTime:GPSCoordinates=22.8201, 89.5512",
            "-QuickTime:Make=TellTale",
            "-QuickTime:Model=Phone-7",
            "-XMP-dc:Creator=Rahim Uddin",
            "-QuickTime:CreateDate=2026:12:01 21:15:00",
        ],
    )
}

on_both!(
    videos_and_voice_notes_lose_location_device_and_dates,
    |app: TestApp| async move {
        let dir = tempfile::tempdir().expect("dir");
        let admin = app.officer().await;
        for (audio, kind, content_type) in [(false, "mp4", "video/mp4"), (true, "m4a", "audio/mp4")]
        {
            let telling = telling_movie(dir.path(), audio);
            let before = tags(dir.path(), &telling);
            for tag in ["ItemList:GPSCoordinates", "UserData:Make", "XMP-dc:Creator"] {
                assert!(
                    before.contains(&tag.to_string()),
                    "fixture has {tag}: {before:?}"
                );
            }
            let sent = app
                .post_multipart("/tips", &TEXT, &[("clip", telling.clone())])
                .await;
            assert_eq!(sent.status, StatusCode::OK, "{kind}: {}", sent.body);
            let (uid, stored_kind, key_sealed): (String, String, Vec<u8>) = sqlx::query_as(
                "SELECT uid, kind, key_sealed FROM attachments ORDER BY id DESC LIMIT 1",
            )
            .fetch_one(app.state.store.reader())
            .await
            .expect("recorded");
            assert_eq!(stored_kind, kind);
            let clean = app
                .state
                .blobs
                .open(&app.state.keys, &uid, &key_sealed)
                .await
                .expect("opens");
            assert_eq!(
                clean.len(),
                telling.len(),
                "same size: offsets into the media stay valid"
            );
            assert!(
                clean.ends_with(&[7u8; 4000]),
                "the media itself is untouched"
            );
            let after = tags(dir.path(), &clean);
            for gone in ["GPS", "Make", "Model", "Creator", "XMP"] {
                assert!(
                    !after.iter().any(|t| t.contains(gone)),
                    "{kind}: {gone} in {after:?}"
                );
            }
            let raw = String::from_utf8_lossy(&clean);
            for word in ["TellTale", "Phone-7", "Rahim", "+22.8201"] {
                assert!(!raw.contains(word), "{kind}: {word} in the stored file");
            }
            let reference = sent.text("#tip-reference");
            let page = admin.get(&format!("/console/tips/{reference}")).await;
            assert!(!page.has("#files img.thumb"), "no thumbnail for {kind}");
            let href = page.attr("#files a.file-link", "href").expect("link");
            let download = admin.get(&href).await;
            assert_eq!(download.header("content-type"), content_type);
            assert!(
                download
                    .header("content-disposition")
                    .ends_with(&format!(".{kind}\""))
            );
        }
    }
);

on_both!(
    a_cut_video_is_refused_and_leaves_no_file,
    |app: TestApp| async move {
        let whole = movie(false);
        let cut = whole[..whole.len() - 100].to_vec();
        let answer = app
            .post_multipart("/tips", &TEXT, &[("cut.mp4", cut)])
            .await;
        refused(
            &app,
            &answer,
            StatusCode::UNPROCESSABLE_ENTITY,
            "নষ্ট",
            "damaged",
        )
        .await;
        assert!(blob_files(&app).is_empty(), "{:?}", blob_files(&app));
    }
);

on_both!(
    mp3_voice_notes_lose_their_tags_and_amr_passes,
    |app: TestApp| async move {
        let frames: Vec<u8> = (0..50_000)
            .map(|i| if i % 417 == 0 { 0xFF } else { 0xFB })
            .collect();
        let mut v2 = b"TPE1".to_vec();
        v2.extend_from_slice(&12u32.to_be_bytes());
        v2.extend_from_slice(&[0, 0, 0]);
        v2.extend_from_slice(b"Rahim Uddin");
        let mut id3 = b"ID3\x03\x00\x00\x00\x00\x00".to_vec();
        id3.push(v2.len() as u8);
        id3.extend_from_slice(&v2);
        let mut v1 = b"TAG".to_vec();
        v1.extend_from_slice(b"Recorded at Sonadanga");
        v1.resize(128, 0);
        let mp3 = [id3, frames.clone(), v1].concat();
        let amr = [b"#!AMR\n".to_vec(), vec![0x3c; 3_008]].concat();
        let sent = app
            .post_multipart(
                "/tips",
                &TEXT,
                &[("note.mp3", mp3), ("note.amr", amr.clone())],
            )
            .await;
        assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
        let rows: Vec<(String, String, Vec<u8>)> =
            sqlx::query_as("SELECT uid, kind, key_sealed FROM attachments ORDER BY id")
                .fetch_all(app.state.store.reader())
                .await
                .expect("rows");
        let kinds: Vec<&str> = rows.iter().map(|r| r.1.as_str()).collect();
        assert_eq!(kinds, ["mp3", "amr"]);
        let open = |i: usize| {
            let (uid, _, key) = rows[i].clone();
            let state = app.state.clone();
            async move {
                state
                    .blobs
                    .open(&state.keys, &uid, &key)
                    .await
                    .expect("opens")
            }
        };
        let clean = open(0).await;
        assert_eq!(clean, frames, "only the audio frames remain");
        assert!(!String::from_utf8_lossy(&clean).contains("Rahim"));
        assert_eq!(open(1).await, amr);
        // Something that calls itself AMR but is not is refused.
        let fake = app
            .post_multipart(
                "/tips",
                &TEXT,
                &[("x.amr", b"#!AMR-XX\nnot audio".to_vec())],
            )
            .await;
        assert!(fake.status.is_client_error(), "{}", fake.status);
    }
);

on_both!(
    lowered_limits_from_the_settings_are_told_and_kept,
    |plain: TestApp| async move {
        let app = TestApp::start_with(plain.backend, |s| {
            s.attachments.max_files = 2;
            s.attachments.image_max_mb = 1;
        })
        .await;
        // The form names the limits in force, in each language's digits.
        let form = app.get("/tips/new").await;
        assert!(form.text("label[for=files]").contains("সর্বোচ্চ ২টি"));
        assert!(form.text("label[for=files]").contains("ছবি ১ মেগাবাইট"));
        let english = app.get_with("/tips/new", &[("cookie", "lang=en")]).await;
        assert!(english.text("label[for=files]").contains("Add up to 2"));
        assert!(
            english
                .text("label[for=files]")
                .contains("photos up to 1 MB")
        );
        let jpeg = photo(ImageFormat::Jpeg, 40, 30);
        // Three files where two are allowed.
        let three = app
            .post_multipart(
                "/tips",
                &TEXT,
                &(0..3).map(|_| ("p.jpg", jpeg.clone())).collect::<Vec<_>>(),
            )
            .await;
        refused(
            &app,
            &three,
            StatusCode::UNPROCESSABLE_ENTITY,
            "সর্বোচ্চ ২টি",
            "at most 2 files",
        )
        .await;
        // A photo one byte over a megabyte, which the default limit would take.
        let over = [jpeg.clone(), vec![0; 1024 * 1024 + 1 - jpeg.len()]].concat();
        assert_eq!(over.len(), 1024 * 1024 + 1);
        let big = app
            .post_multipart("/tips", &TEXT, &[("big.jpg", over)])
            .await;
        refused(
            &app,
            &big,
            StatusCode::PAYLOAD_TOO_LARGE,
            "১ মেগাবাইট পর্যন্ত",
            "up to 1 MB",
        )
        .await;
        // The piecewise upload refuses the same size before a byte is sent.
        let opened = app
            .post_json(
                "/api/v1/uploads",
                serde_json::json!({ "size": 1024 * 1024 * 100 + 1 }),
            )
            .await;
        assert_eq!(opened.status, StatusCode::PAYLOAD_TOO_LARGE);
        // Two files are taken, and the follow-up may add none.
        let two = app
            .post_multipart(
                "/tips",
                &TEXT,
                &(0..2).map(|_| ("p.jpg", jpeg.clone())).collect::<Vec<_>>(),
            )
            .await;
        assert_eq!(two.status, StatusCode::OK, "{}", two.body);
        let later = app
            .post_multipart(
                "/follow-up/messages",
                &[
                    ("receipt", &crate::support::receipt_of(&two)),
                    ("message", "one more"),
                ],
                &[("c.jpg", jpeg.clone())],
            )
            .await;
        assert_eq!(later.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(later.text(".error").contains("at most 2 files"));
        assert_eq!(app.count("attachments").await, 2);
        app.finish().await;
    }
);
