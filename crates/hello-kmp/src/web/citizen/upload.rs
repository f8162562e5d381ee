//! Reading a citizen's multipart form part by part: text fields within a small limit, files as
//! streams that the attachments service reads a piece at a time.
//
// Limitation: a form is one request. A connection that drops mid-upload loses the files of
// that form (nothing is kept, and the text is not saved either); resumable uploads, with
// progress shown, need their own protocol and come with the rest of the evidence issue.

use axum::extract::Multipart;
use axum::extract::multipart::MultipartError;
use axum::http::StatusCode;

use crate::domain::InputError;
use crate::domain::media::FileLimits;
use crate::services::attachments::ChunkSource;

/// Largest text field (a 5,000-character Bangla description is about 15 KB).
const TEXT_FIELD_LIMIT: usize = 64 * 1024;

/// One part of the form.
pub enum Part<'a> {
    Text {
        name: String,
        value: String,
    },
    /// A chosen file, to be read a piece at a time.
    File(Box<Upload<'a>>),
    /// A file input with no file chosen.
    NoFile,
}

/// A file part being read.
pub struct Upload<'a> {
    field: axum::extract::multipart::Field<'a>,
    first: Option<bytes::Bytes>,
}

impl ChunkSource for Upload<'_> {
    async fn next_chunk(&mut self) -> Result<Option<bytes::Bytes>, InputError> {
        if let Some(first) = self.first.take() {
            return Ok(Some(first));
        }
        self.field.chunk().await.map_err(refusal)
    }
}

/// The next part of the form.
pub async fn next_part(form: &mut Multipart) -> Result<Option<Part<'_>>, InputError> {
    let Some(mut field) = form.next_field().await.map_err(refusal)? else {
        return Ok(None);
    };
    let name = field.name().unwrap_or_default().to_string();
    if name != "files" {
        let mut text = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(refusal)? {
            if text.len() + chunk.len() > TEXT_FIELD_LIMIT {
                return Err(InputError::BodyTooLarge);
            }
            text.extend_from_slice(&chunk);
        }
        let value = String::from_utf8(text).map_err(|_| InputError::FormTampered)?;
        return Ok(Some(Part::Text { name, value }));
    }
    let chosen = field.file_name().is_some_and(|n| !n.is_empty());
    let first = field.chunk().await.map_err(refusal)?;
    if chosen || first.as_ref().is_some_and(|b| !b.is_empty()) {
        Ok(Some(Part::File(Box::new(Upload { field, first }))))
    } else {
        // The file input sends an empty part when no file was chosen.
        Ok(Some(Part::NoFile))
    }
}

fn refusal(err: MultipartError) -> InputError {
    if err.status() == StatusCode::PAYLOAD_TOO_LARGE {
        InputError::BodyTooLarge
    } else {
        InputError::FormTampered
    }
}

/// A form without files is text only: it keeps the small limit of every text form, whatever
/// the route allows for files.
pub fn text_only(request: axum::extract::Request) -> axum::extract::Request {
    let (parts, body) = request.into_parts();
    let body = axum::body::Body::new(http_body_util::Limited::new(body, crate::web::BODY_LIMIT));
    axum::extract::Request::from_parts(parts, body)
}

/// Whether the request is a multipart form.
pub fn is_multipart(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"))
}

/// Largest body a form with files may have: its text and as many files as a tip may carry, each
/// at the largest size of any kind.
pub fn upload_limit(limits: &FileLimits) -> usize {
    limits.max_files * limits.largest() + 256 * 1024
}
