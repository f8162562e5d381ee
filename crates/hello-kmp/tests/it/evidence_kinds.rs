//! The kinds of evidence beyond JPEG, PNG, video and MP3/AMR: HEIC photos from iPhones, Opus
//! voice notes from WhatsApp and Android recorders, and PDF documents. Each fixture is made by
//! the real tool that makes such files (heif-enc, opusenc) and given away details by exiftool
//! or by the tool itself; after upload, the stored copy is opened and read by the same tools.

use std::path::Path;
use std::process::Command;

use axum::http::StatusCode;
use image::ImageFormat;

use crate::attachments::{download_bytes, exiftool, tags};
use crate::on_both;
use crate::support::{TestApp, photo};

const TEXT: [(&str, &str); 3] = [
    ("category", "drugs"),
    ("thana", "khalishpur"),
    ("description", "ফাইলে প্রমাণ আছে evidence-in-file"),
];

/// Words the fixtures carry that must not survive.
const TELLING: [&str; 5] = ["TellTale", "Phone-7", "Rahim", "Uddin", "Sonadanga"];

/// Runs a tool of the test machine (scripts/test.sh installs it) and answers its output.
fn run(tool: &str, args: &[&str]) -> String {
    let output = Command::new(tool)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{tool} runs (scripts/test.sh installs it): {e}"));
    assert!(
        output.status.success(),
        "{tool} {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn path_str(path: &Path) -> &str {
    path.to_str().expect("a UTF-8 path")
}

/// The only attachment's kind, recorded size and stored clean bytes.
async fn stored(app: &TestApp) -> (String, Option<i64>, Option<i64>, Vec<u8>) {
    let (uid, kind, key_sealed, width, height): (
        String,
        String,
        Vec<u8>,
        Option<i64>,
        Option<i64>,
    ) = sqlx::query_as("SELECT uid, kind, key_sealed, width, height FROM attachments")
        .fetch_one(app.state.store.reader())
        .await
        .expect("one attachment");
    let bytes = app
        .state
        .blobs
        .open(&app.state.keys, &uid, &key_sealed)
        .await
        .expect("opens");
    (kind, width, height, bytes)
}

fn assert_untelling(bytes: &[u8], what: &str) {
    let raw = String::from_utf8_lossy(bytes);
    for word in TELLING {
        assert!(!raw.contains(word), "{what}: {word} in the stored file");
    }
}

/// A HEIC photo as a phone writes one: tiles, a thumbnail, EXIF with GPS, make and model, XMP.
fn telling_heic(dir: &Path) -> Vec<u8> {
    let png = dir.join("source.png");
    std::fs::write(&png, photo(ImageFormat::Png, 96, 64)).expect("png");
    let heic = dir.join("IMG_0042.HEIC");
    run(
        "heif-enc",
        &[
            "-q",
            "60",
            "-t",
            "32",
            path_str(&png),
            "-o",
            path_str(&heic),
        ],
    );
    let plain = std::fs::read(&heic).expect("heic");
    exiftool(
        dir,
        "IMG_0042.HEIC",
        &plain,
        &[
            "-GPSLatitude=22.8201",
            "-GPSLatitudeRef=N",
            "-GPSLongitude=89.5512",
            "-GPSLongitudeRef=E",
            "-Make=TellTale",
            "-Model=Phone-7",
            "-DateTimeOriginal=2026:12:01 21:15:00",
            "-XMP-dc:Creator=Rahim Uddin",
            "-XMP-photoshop:City=Sonadanga",
        ],
    )
}

on_both!(
    heic_photos_lose_exif_xmp_and_thumbnail_and_still_open,
    |app: TestApp| async move {
        let dir = tempfile::tempdir().expect("dir");
        let telling = telling_heic(dir.path());
        let before = tags(dir.path(), &telling);
        for tag in [
            "GPS:GPSLatitude",
            "IFD0:Make",
            "IFD0:Model",
            "XMP-dc:Creator",
        ] {
            assert!(
                before.contains(&tag.to_string()),
                "fixture has {tag}: {before:?}"
            );
        }
        std::fs::write(dir.path().join("before.heic"), &telling).expect("write");
        let info = run("heif-info", &[path_str(&dir.path().join("before.heic"))]);
        assert!(
            info.contains("thumbnail"),
            "fixture has a thumbnail: {info}"
        );

        let sent = app
            .post_multipart("/tips", &TEXT, &[("IMG_0042.HEIC", telling.clone())])
            .await;
        assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);

        let (kind, width, height, clean) = stored(&app).await;
        assert_eq!(kind, "heic");
        assert_eq!((width, height), (Some(96), Some(64)));
        assert_eq!(clean.len(), telling.len(), "the layout is kept");
        let after = tags(dir.path(), &clean);
        for gone in [
            "GPS",
            "IFD0",
            "ExifIFD",
            "XMP",
            "Make",
            "Model",
            "Thumbnail",
        ] {
            assert!(
                !after.iter().any(|t| t.contains(gone)),
                "{gone} in {after:?}"
            );
        }
        assert_untelling(&clean, "heic");
        let cleaned = dir.path().join("after.heic");
        std::fs::write(&cleaned, &clean).expect("write");
        let info = run("heif-info", &[path_str(&cleaned)]);
        assert!(!info.contains("thumbnail:"), "no thumbnail: {info}");
        assert!(!info.contains("Exif:") && !info.contains("XMP:"), "{info}");
        // The picture itself still decodes, at its size.
        let decoded = dir.path().join("after.png");
        run("heif-convert", &[path_str(&cleaned), path_str(&decoded)]);
        let picture = image::open(&decoded).expect("a picture");
        assert_eq!((picture.width(), picture.height()), (96, 64));

        let reference = sent.text("#tip-reference");
        let admin = app.officer().await;
        let page = admin.get(&format!("/console/tips/{reference}")).await;
        assert_eq!(
            page.texts("#files .flag.clean").len(),
            1,
            "metadata removed, shown"
        );
        let href = page.attr("#files a.file-link", "href").expect("link");
        let download = admin.get(&href).await;
        assert_eq!(download.header("content-type"), "image/heic");
        assert!(download.header("content-disposition").ends_with(".heic\""));
        assert_eq!(download_bytes(&app, &admin.cookie, &href).await, clean);
    }
);

/// One second of a tone as a 16 kHz mono WAV, for opusenc.
fn tone_wav() -> Vec<u8> {
    let samples: Vec<u8> = (0..16_000)
        .flat_map(|i| (((i as f64 * 0.05).sin() * 8_000.0) as i16).to_le_bytes())
        .collect();
    let mut wav = b"RIFF".to_vec();
    wav.extend_from_slice(&(36 + samples.len() as u32).to_le_bytes());
    wav.extend_from_slice(b"WAVEfmt ");
    for n in [16u32, 0x0001_0001, 16_000, 32_000, 0x0010_0002] {
        wav.extend_from_slice(&n.to_le_bytes());
    }
    wav.extend_from_slice(b"data");
    wav.extend_from_slice(&(samples.len() as u32).to_le_bytes());
    wav.extend_from_slice(&samples);
    wav
}

on_both!(
    opus_voice_notes_lose_their_comments_and_still_play,
    |app: TestApp| async move {
        let dir = tempfile::tempdir().expect("dir");
        let wav = dir.path().join("note.wav");
        std::fs::write(&wav, tone_wav()).expect("wav");
        let opus = dir.path().join("PTT-20261201-WA0007.opus");
        run(
            "opusenc",
            &[
                "--quiet",
                "--artist",
                "Rahim Uddin",
                "--title",
                "Sonadanga",
                "--comment",
                "DEVICE=TellTale Phone-7",
                path_str(&wav),
                path_str(&opus),
            ],
        );
        let telling = std::fs::read(&opus).expect("opus");
        assert!(run("opusinfo", &[path_str(&opus)]).contains("Rahim Uddin"));

        let sent = app
            .post_multipart("/tips", &TEXT, &[("voice.opus", telling)])
            .await;
        assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
        let (kind, _, _, clean) = stored(&app).await;
        assert_eq!(kind, "ogg");
        assert_untelling(&clean, "opus");
        assert!(
            !String::from_utf8_lossy(&clean).contains("opusenc"),
            "no encoder named"
        );
        let cleaned = dir.path().join("clean.opus");
        std::fs::write(&cleaned, &clean).expect("write");
        let info = run("opusinfo", &[path_str(&cleaned)]);
        assert!(
            info.contains("Playback length: 0m:01"),
            "plays as long: {info}"
        );
        // The sound is untouched: both files decode to the same samples.
        let decode = |from: &Path, to: &str| {
            let to = dir.path().join(to);
            run("opusdec", &["--quiet", path_str(from), path_str(&to)]);
            std::fs::read(to).expect("decoded")
        };
        let heard = decode(&cleaned, "clean.wav");
        assert!(
            heard.len() > 30_000,
            "a second of sound: {} bytes",
            heard.len()
        );
        assert_eq!(heard, decode(&opus, "sent.wav"));
    }
);

/// A one-page PDF with a line of text, written by hand.
fn plain_pdf() -> Vec<u8> {
    let content = b"BT /F1 18 Tf 40 100 Td (Shop behind the market) Tj ET";
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] /Contents 4 0 R \
         /Resources << /Font << /F1 5 0 R >> >> >>"
            .to_string(),
        format!(
            "<< /Length {} >>\nstream\n{}\nendstream",
            content.len(),
            String::from_utf8_lossy(content)
        ),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_string(),
    ];
    let mut pdf = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (n, body) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", n + 1).as_bytes());
    }
    let xref = pdf.len();
    pdf.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for offset in offsets {
        pdf.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    pdf.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    pdf
}

on_both!(
    pdf_documents_lose_their_information_and_xmp_and_keep_their_pages,
    |app: TestApp| async move {
        let dir = tempfile::tempdir().expect("dir");
        let telling = exiftool(
            dir.path(),
            "statement.pdf",
            &plain_pdf(),
            &[
                "-PDF:Author=Rahim Uddin",
                "-PDF:Title=Sonadanga statement",
                "-PDF:Producer=TellTale Phone-7",
                "-XMP-dc:Creator=Rahim Uddin",
            ],
        );
        let before = tags(dir.path(), &telling);
        for tag in ["PDF:Author", "PDF:Producer", "XMP-dc:Creator"] {
            assert!(
                before.contains(&tag.to_string()),
                "fixture has {tag}: {before:?}"
            );
        }

        let sent = app
            .post_multipart("/tips", &TEXT, &[("statement.pdf", telling)])
            .await;
        assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
        let (kind, _, _, clean) = stored(&app).await;
        assert_eq!(kind, "pdf");
        let after = tags(dir.path(), &clean);
        for gone in ["Author", "Title", "Producer", "XMP", "Creator"] {
            assert!(
                !after.iter().any(|t| t.contains(gone)),
                "{gone} in {after:?}"
            );
        }
        assert_untelling(&clean, "pdf");
        let cleaned = dir.path().join("clean.pdf");
        std::fs::write(&cleaned, &clean).expect("write");
        let info = run("pdfinfo", &[path_str(&cleaned)]);
        assert!(
            info.lines()
                .any(|l| l.starts_with("Pages:") && l.trim_end().ends_with(" 1")),
            "one page: {info}"
        );
        let text = run("pdftotext", &[path_str(&cleaned), "-"]);
        assert!(
            text.contains("Shop behind the market"),
            "the page is kept: {text}"
        );

        let reference = sent.text("#tip-reference");
        let admin = app.officer().await;
        let page = admin.get(&format!("/console/tips/{reference}")).await;
        let href = page.attr("#files a.file-link", "href").expect("link");
        let download = admin.get(&href).await;
        assert_eq!(download.header("content-type"), "application/pdf");
        assert!(
            download
                .header("content-disposition")
                .starts_with("attachment")
        );
    }
);

on_both!(
    what_cannot_be_cleaned_is_refused_with_the_kinds_we_take,
    |app: TestApp| async move {
        let gif = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x00\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;".to_vec();
        let sent = app.post_multipart("/tips", &TEXT, &[("a.gif", gif)]).await;
        assert_eq!(
            sent.status,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "{}",
            sent.body
        );
        let error = sent.texts(".error").join(" ");
        for named in ["HEIC", "PDF", "OGG", "AMR"] {
            assert!(error.contains(named), "{named} named in {error:?}");
        }
        assert!(sent.text("#description").contains("evidence-in-file"));
        assert_eq!(app.count("tips").await, 0);
    }
);
