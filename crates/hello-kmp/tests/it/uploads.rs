//! Files sent a piece at a time (`/api/v1/uploads`): a dropped connection resumes where the
//! server stopped, the finished file goes with the tip through the same cleaning, and an upload
//! cut and never finished leaves nothing once swept.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use image::ImageFormat;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::on_both;
use crate::support::{Answer, TestApp, photo};

const PIECE: usize = 1024 * 1024;

/// An AMR voice note of `len` bytes: 12.2 kbit/s frames, then one-byte "no data" frames to make
/// up the length. AMR carries no metadata, so the stored copy is the file itself and its hash
/// can be compared with the sender's.
fn voice_note(len: usize) -> Vec<u8> {
    let mut note = b"#!AMR\n".to_vec();
    while len - note.len() >= 32 {
        let at = note.len();
        note.push(0x3c);
        note.extend((0..31).map(|i| ((at + i) * 31 % 251) as u8));
    }
    note.resize(len, 0x7c);
    note
}

async fn open(app: &TestApp, size: usize) -> Answer {
    app.post_json("/api/v1/uploads", json!({ "size": size }))
        .await
}

async fn open_id(app: &TestApp, size: usize) -> String {
    let opened = open(app, size).await;
    assert_eq!(opened.status, StatusCode::CREATED, "{}", opened.body);
    assert_eq!(opened.json()["piece_max"], PIECE);
    opened.json()["id"].as_str().expect("an id").to_string()
}

async fn piece(app: &TestApp, id: &str, offset: Option<usize>, bytes: &[u8]) -> Answer {
    let mut request = Request::patch(format!("/api/v1/uploads/{id}"))
        .header(header::CONTENT_TYPE, "application/offset+octet-stream");
    if let Some(offset) = offset {
        request = request.header("upload-offset", offset.to_string());
    }
    let request = request.body(Body::from(bytes.to_vec())).expect("request");
    app.send(request, "192.0.2.44").await
}

/// Sends the whole file, piece by piece.
async fn send_all(app: &TestApp, bytes: &[u8]) -> String {
    let id = open_id(app, bytes.len()).await;
    for (n, chunk) in bytes.chunks(PIECE).enumerate() {
        let answer = piece(app, &id, Some(n * PIECE), chunk).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    }
    id
}

fn staged_blobs(app: &TestApp) -> usize {
    std::fs::read_dir(app.data_dir().join("blobs").join("attachments"))
        .map(|d| {
            d.filter_map(|e| e.ok())
                .filter(|e| e.file_name().to_string_lossy().starts_with("upload-"))
                .count()
        })
        .unwrap_or(0)
}

async fn nothing_staged(app: &TestApp) {
    assert_eq!(app.count("uploads").await, 0, "no upload row");
    assert_eq!(app.count("upload_pieces").await, 0, "no piece row");
    assert_eq!(staged_blobs(app), 0, "no piece in the blob store");
}

const TEXT: [(&str, &str); 3] = [
    ("category", "drugs"),
    ("thana", "sonadanga"),
    ("description", "ভয়েস নোটে শোনা যায় voice-in-pieces"),
];

fn with_upload(id: &str) -> Vec<(&str, &str)> {
    let mut fields = TEXT.to_vec();
    fields.push(("upload", id));
    fields
}

async fn stored_sha256(app: &TestApp) -> (String, String) {
    let (uid, key_sealed, sha256): (String, Vec<u8>, String) =
        sqlx::query_as("SELECT uid, key_sealed, sha256 FROM attachments")
            .fetch_one(app.state.store.reader())
            .await
            .expect("one attachment");
    let bytes = app
        .state
        .blobs
        .open(&app.state.keys, &uid, &key_sealed)
        .await
        .expect("opens");
    (hex::encode(Sha256::digest(&bytes)), sha256)
}

on_both!(
    a_dropped_upload_resumes_and_its_file_goes_with_the_tip,
    |app: TestApp| async move {
        let note = voice_note(2 * PIECE + 5_000);
        let id = open_id(&app, note.len()).await;
        let first = piece(&app, &id, Some(0), &note[..PIECE]).await;
        assert_eq!(first.status, StatusCode::OK, "{}", first.body);
        assert_eq!(first.json()["received"], PIECE);
        // The connection drops while the second piece is in flight: the page sends it again from
        // where it thinks it was, and is told where the server is.
        let stale = piece(&app, &id, Some(0), &note[..PIECE]).await;
        assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.body);
        assert_eq!(stale.json()["received"], PIECE);
        let ahead = piece(&app, &id, Some(2 * PIECE), &note[2 * PIECE..]).await;
        assert_eq!(ahead.status, StatusCode::CONFLICT);
        let asked = app.get(&format!("/api/v1/uploads/{id}")).await;
        assert_eq!(asked.status, StatusCode::OK);
        assert_eq!(asked.json()["received"], PIECE);
        assert_eq!(asked.json()["size"], note.len());
        for at in [PIECE, 2 * PIECE] {
            let end = (at + PIECE).min(note.len());
            let answer = piece(&app, &id, Some(at), &note[at..end]).await;
            assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        }
        assert_eq!(app.count("upload_pieces").await, 3);
        assert_eq!(staged_blobs(&app), 3, "each piece sealed on its own");

        let sent = app.post_multipart("/tips", &with_upload(&id), &[]).await;
        assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
        assert!(sent.has("#receipt-ascii"), "a receipt after the commit");
        assert_eq!(app.count("attachments").await, 1);
        let (opened, recorded) = stored_sha256(&app).await;
        assert_eq!(
            opened,
            hex::encode(Sha256::digest(&note)),
            "the file as sent"
        );
        assert_eq!(recorded, opened, "the hash officers see");
        nothing_staged(&app).await;

        // The same upload cannot be named again: it is gone.
        let again = app.get(&format!("/api/v1/uploads/{id}")).await;
        assert_eq!(again.status, StatusCode::NOT_FOUND);
    }
);

on_both!(
    a_cut_upload_is_refused_with_the_tip_kept_and_swept_later,
    |app: TestApp| async move {
        let note = voice_note(PIECE + 10);
        let id = open_id(&app, note.len()).await;
        assert_eq!(
            piece(&app, &id, Some(0), &note[..PIECE]).await.status,
            StatusCode::OK
        );
        let sent = app.post_multipart("/tips", &with_upload(&id), &[]).await;
        assert_eq!(
            sent.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            sent.body
        );
        let error = sent.texts(".error").join(" ");
        assert!(error.contains("পাঠানো শেষ হয়নি"), "{error}");
        assert!(error.contains("had not finished sending"), "{error}");
        assert!(sent.text("#description").contains("voice-in-pieces"));
        assert_eq!(app.count("tips").await, 0);
        assert_eq!(app.count("attachments").await, 0);

        // Not idle long enough: kept.
        let now = hello_kmp::store::now();
        let swept = hello_kmp::services::uploads::sweep(
            &app.state.store,
            &app.state.blobs,
            now - hello_kmp::services::uploads::IDLE_SECONDS,
        )
        .await
        .expect("sweeps");
        assert_eq!(swept, 0);
        assert_eq!(staged_blobs(&app), 1);
        // A day later: gone, with its piece.
        let swept =
            hello_kmp::services::uploads::sweep(&app.state.store, &app.state.blobs, now + 1)
                .await
                .expect("sweeps");
        assert_eq!(swept, 1);
        nothing_staged(&app).await;
    }
);

on_both!(
    bad_uploads_are_refused_in_both_languages,
    |app: TestApp| async move {
        let refusal = |answer: &Answer, status: StatusCode, code: &str| {
            assert_eq!(answer.status, status, "{}", answer.body);
            let error = &answer.json()["error"];
            assert_eq!(error["code"], code, "{}", answer.body);
            assert!(!error["message_bn"].as_str().unwrap_or("").is_empty());
            assert!(!error["message_en"].as_str().unwrap_or("").is_empty());
        };
        refusal(
            &open(&app, 0).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "file_empty",
        );
        refusal(
            &open(&app, 100 * 1024 * 1024 + 1).await,
            StatusCode::PAYLOAD_TOO_LARGE,
            "file_too_large",
        );
        refusal(
            &piece(
                &app,
                "0123456789abcdef0123456789abcdef",
                Some(0),
                b"#!AMR\n",
            )
            .await,
            StatusCode::NOT_FOUND,
            "upload_unknown",
        );
        refusal(
            &piece(&app, "../../etc/passwd", Some(0), b"x").await,
            StatusCode::NOT_FOUND,
            "not_found",
        );

        // A text file named like a photo: refused on its first piece, and the upload closed.
        let lie = b"just words in a file called photo.jpg, nothing more to see here".repeat(20);
        let id = open_id(&app, lie.len()).await;
        refusal(
            &piece(&app, &id, None, &lie).await,
            StatusCode::BAD_REQUEST,
            "request_malformed",
        );
        refusal(
            &piece(&app, &id, Some(0), &lie).await,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "file_kind_refused",
        );
        assert_eq!(
            app.get(&format!("/api/v1/uploads/{id}")).await.status,
            StatusCode::NOT_FOUND
        );

        // A photo announced larger than photos may be.
        let jpeg = photo(ImageFormat::Jpeg, 64, 48);
        let id = open_id(&app, 30 * 1024 * 1024).await;
        refusal(
            &piece(&app, &id, Some(0), &jpeg).await,
            StatusCode::PAYLOAD_TOO_LARGE,
            "file_too_large",
        );
        // One byte more than announced.
        let id = open_id(&app, jpeg.len()).await;
        let mut over = jpeg.clone();
        over.push(0);
        refusal(
            &piece(&app, &id, Some(0), &over).await,
            StatusCode::PAYLOAD_TOO_LARGE,
            "file_too_large",
        );
        // A piece larger than a piece may be is refused before it is read whole.
        let big = voice_note(PIECE + 1);
        let id = open_id(&app, big.len()).await;
        assert_eq!(
            piece(&app, &id, Some(0), &big).await.status,
            StatusCode::PAYLOAD_TOO_LARGE
        );
        // Named in a tip without being sent: the tip is refused, its text kept.
        let id = open_id(&app, 2_000).await;
        let sent = app.post_multipart("/tips", &with_upload(&id), &[]).await;
        assert_eq!(sent.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(sent.text("#description").contains("voice-in-pieces"));
        assert_eq!(app.count("tips").await, 0);
    }
);

on_both!(
    refused_text_keeps_the_sent_files_for_the_next_try,
    |app: TestApp| async move {
        let id = send_all(&app, &photo(ImageFormat::Png, 120, 80)).await;
        let mut fields = with_upload(&id);
        fields[2] = ("description", "");
        let refused = app.post_multipart("/tips", &fields, &[]).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            refused.attr("input[name=upload]", "value").as_deref(),
            Some(id.as_str()),
            "the sent file is named again in the form"
        );
        assert!(refused.has("#files-held"), "{}", refused.body);
        assert_eq!(app.count("uploads").await, 1, "still staged");

        let sent = app.post_multipart("/tips", &with_upload(&id), &[]).await;
        assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
        assert_eq!(app.count("attachments").await, 1);
        let kind: String = sqlx::query_scalar("SELECT kind FROM attachments")
            .fetch_one(app.state.store.reader())
            .await
            .expect("kind");
        assert_eq!(
            kind, "jpeg",
            "a photo sent in pieces is cleaned like any other"
        );
        nothing_staged(&app).await;
    }
);

on_both!(
    more_files_than_a_tip_carries_are_refused,
    |app: TestApp| async move {
        let mut ids = Vec::new();
        for _ in 0..6 {
            ids.push(send_all(&app, &voice_note(700)).await);
        }
        let mut fields = TEXT.to_vec();
        fields.extend(ids.iter().map(|id| ("upload", id.as_str())));
        let refused = app.post_multipart("/tips", &fields, &[]).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            refused
                .texts(".error")
                .join(" ")
                .contains("at most 5 files")
        );
        assert_eq!(app.count("tips").await, 0);
        assert_eq!(app.count("attachments").await, 0);
    }
);

on_both!(
    the_api_and_the_follow_up_take_sent_files,
    |app: TestApp| async move {
        let note = voice_note(5_000);
        let id = send_all(&app, &note).await;
        let made = app
            .post_json(
                "/api/v1/tips",
                json!({
                    "category": "drugs",
                    "description": "api-with-upload",
                    "uploads": [id],
                }),
            )
            .await;
        assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
        assert_eq!(app.count("attachments").await, 1);
        nothing_staged(&app).await;
        let receipt = made.json()["receipt"]
            .as_str()
            .expect("receipt")
            .to_string();

        let id = send_all(&app, &photo(ImageFormat::Jpeg, 50, 40)).await;
        let added = app
            .post_multipart(
                "/follow-up/messages",
                &[
                    ("receipt", receipt.as_str()),
                    ("message", "one more photo"),
                    ("upload", id.as_str()),
                ],
                &[],
            )
            .await;
        assert_eq!(added.status, StatusCode::OK, "{}", added.body);
        assert_eq!(app.count("attachments").await, 2);
        nothing_staged(&app).await;
    }
);

on_both!(
    open_uploads_are_bounded_for_everyone,
    |app: TestApp| async move {
        for _ in 0..200 {
            open_id(&app, 10).await;
        }
        let busy = open(&app, 10).await;
        assert_eq!(busy.status, StatusCode::TOO_MANY_REQUESTS, "{}", busy.body);
        assert_eq!(busy.json()["error"]["code"], "uploads_busy");
        assert_eq!(busy.header("retry-after"), "30");
    }
);

on_both!(
    a_form_resent_after_a_lost_answer_shows_its_receipt_again,
    |app: TestApp| async move {
        // The form went, with a file sent piece by piece; the answer never reached the phone,
        // which sends the same form again. The upload is gone by then (its file is with the
        // tip), and the tipster must get the first receipt, not a refusal.
        let note = voice_note(PIECE + 2_000);
        let id = send_all(&app, &note).await;
        let mut fields = with_upload(&id);
        fields.push(("form_token", "0a1b2c3d4e5f60718293a4b5c6d7e8f9"));
        let first = app.post_multipart("/tips", &fields, &[]).await;
        assert_eq!(first.status, StatusCode::OK, "{}", first.body);
        let receipt = first.text("#receipt-ascii");
        assert!(!receipt.is_empty(), "a receipt the first time");
        nothing_staged(&app).await;

        let again = app.post_multipart("/tips", &fields, &[]).await;
        assert_eq!(again.status, StatusCode::OK, "{}", again.body);
        assert_eq!(again.text("#receipt-ascii"), receipt, "the same receipt");
        assert_eq!(again.text("#tip-reference"), first.text("#tip-reference"));
        assert_eq!(app.count("tips").await, 1, "one tip");
        assert_eq!(app.count("attachments").await, 1, "one file");

        // The same through the API, which a native app uses.
        let id = send_all(&app, &note).await;
        let body = json!({
            "category": "drugs",
            "thana": "sonadanga",
            "description": "API resend voice-in-pieces",
            "idempotency_key": "1a1b2c3d4e5f60718293a4b5c6d7e8f9",
            "uploads": [id],
        });
        let first = app.post_json("/api/v1/tips", body.clone()).await;
        assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
        let again = app.post_json("/api/v1/tips", body).await;
        assert!(again.status.is_success(), "{} {}", again.status, again.body);
        assert_eq!(again.json()["receipt"], first.json()["receipt"]);
        assert_eq!(app.count("tips").await, 2);
        assert_eq!(app.count("attachments").await, 2);
    }
);

on_both!(
    a_message_resent_after_a_lost_answer_keeps_one_file_and_says_sent,
    |app: TestApp| async move {
        let page = app.submit_tip("voice later").await;
        let receipt = crate::support::receipt_of(&page);
        let note = voice_note(PIECE + 3_000);
        let id = send_all(&app, &note).await;
        let fields = [
            ("receipt", receipt.as_str()),
            ("message", "শুনুন listen-to-this"),
            ("form_token", "ffeeddccbbaa99887766554433221100"),
            ("upload", id.as_str()),
        ];
        let first = app
            .post_multipart("/follow-up/messages", &fields, &[])
            .await;
        assert_eq!(first.status, StatusCode::OK, "{}", first.body);
        assert!(first.has("#sent-notice"));
        nothing_staged(&app).await;
        // The upload is gone with the first send; the resend is answered as sent.
        let again = app
            .post_multipart("/follow-up/messages", &fields, &[])
            .await;
        assert_eq!(again.status, StatusCode::OK, "{}", again.body);
        assert!(again.has("#sent-notice"), "{}", again.body);
        assert_eq!(app.count("tip_messages").await, 1);
        assert_eq!(app.count("attachments").await, 1);
    }
);
