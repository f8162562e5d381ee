//! Reading a citizen's multipart form part by part: text fields within a small limit, each file
//! whole but within the photo limit, one at a time, so that a form with files never holds more
//! than one of them in memory.

use axum::extract::Multipart;
use axum::extract::multipart::MultipartError;
use axum::http::StatusCode;

use crate::domain::InputError;
use crate::domain::media::IMAGE_MAX_BYTES;

/// Largest text field (a 5,000-character Bangla description is about 15 KB).
const TEXT_FIELD_LIMIT: usize = 64 * 1024;

/// One part of the form.
pub enum Part {
    Text {
        name: String,
        value: String,
    },
    /// A chosen file's bytes.
    File(Vec<u8>),
}

/// The next part, skipping the empty part a file input sends when no file was chosen.
pub async fn next_part(form: &mut Multipart) -> Result<Option<Part>, InputError> {
    loop {
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
        let mut bytes = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(refusal)? {
            if bytes.len() + chunk.len() > IMAGE_MAX_BYTES {
                return Err(InputError::FileTooLarge);
            }
            bytes.extend_from_slice(&chunk);
        }
        if chosen || !bytes.is_empty() {
            return Ok(Some(Part::File(bytes)));
        }
    }
}

fn refusal(err: MultipartError) -> InputError {
    if err.status() == StatusCode::PAYLOAD_TOO_LARGE {
        InputError::BodyTooLarge
    } else {
        InputError::FormTampered
    }
}

/// Whether the request is a multipart form.
pub fn is_multipart(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"))
}

/// Largest body a form with files may have: its text and five photos at their limit.
pub const UPLOAD_LIMIT: usize = crate::domain::media::MAX_FILES * IMAGE_MAX_BYTES + 256 * 1024;
