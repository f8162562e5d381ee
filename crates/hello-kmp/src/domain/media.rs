//! Files a tipster attaches: what kind they are (by their content, never their name or declared
//! type), whether they are whole and only what they claim to be, and a clean copy without the
//! metadata that could identify the sender.
//!
//! Photos are decoded and encoded again: the copy keeps the pixels, turned upright by the EXIF
//! orientation, and nothing else (no EXIF, GPS, camera make and model, serial numbers, embedded
//! thumbnails, XMP, IPTC or comments). Re-encoding also neutralises malformed files.
//! HEIC/HEIF photos, which this server cannot decode, are cleaned in place by [`super::heif`].
//! Video and voice notes in MP4, MOV or M4A are cleaned as they stream in, by [`super::isobmff`];
//! MP3 and AMR voice notes by [`super::audio`]; Ogg/Opus voice notes by [`super::ogg`]. PDF
//! documents are written afresh without their metadata by [`super::pdf`].

use std::io::Cursor;

use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};

use super::InputError;

/// Largest photo accepted by default, in bytes.
pub const IMAGE_MAX_BYTES: usize = 25 * 1024 * 1024;
/// Files per tip by default, on the form and in the follow-up together.
pub const MAX_FILES: usize = 5;
/// Longest side of a photo we decode. A 6,000 × 6,000 photo decodes to about 108 MB, one at a
/// time; bigger ones are refused (the app shrinks photos on the phone first).
pub const IMAGE_MAX_SIDE: u32 = 6_000;
/// What one decode may allocate.
const IMAGE_MAX_ALLOC: u64 = 160 * 1024 * 1024;

/// Largest video accepted by default, in bytes.
pub const VIDEO_MAX_BYTES: usize = 100 * 1024 * 1024;
/// Largest voice note accepted by default, in bytes.
pub const AUDIO_MAX_BYTES: usize = 25 * 1024 * 1024;
/// Largest document accepted by default, in bytes.
pub const DOCUMENT_MAX_BYTES: usize = 25 * 1024 * 1024;

const MB: usize = 1024 * 1024;

/// How many files a tip may carry and how large each kind may be: the defaults above, or the
/// operator's `attachments.*` settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileLimits {
    /// Files per tip, on the form and in the follow-up together.
    pub max_files: usize,
    pub image_bytes: usize,
    pub audio_bytes: usize,
    pub video_bytes: usize,
    pub document_bytes: usize,
}

impl Default for FileLimits {
    fn default() -> FileLimits {
        FileLimits {
            max_files: MAX_FILES,
            image_bytes: IMAGE_MAX_BYTES,
            audio_bytes: AUDIO_MAX_BYTES,
            video_bytes: VIDEO_MAX_BYTES,
            document_bytes: DOCUMENT_MAX_BYTES,
        }
    }
}

impl FileLimits {
    /// The largest file of `kind` accepted, in bytes.
    pub fn max_bytes(&self, kind: MediaKind) -> usize {
        match kind {
            MediaKind::Mp4 | MediaKind::Mov => self.video_bytes,
            MediaKind::M4a | MediaKind::Mp3 | MediaKind::Amr | MediaKind::Ogg => self.audio_bytes,
            MediaKind::Pdf => self.document_bytes,
            _ => self.image_bytes,
        }
    }

    /// The largest file of any kind, in bytes.
    pub fn largest(&self) -> usize {
        self.image_bytes
            .max(self.audio_bytes)
            .max(self.video_bytes)
            .max(self.document_bytes)
    }

    /// The refusal for a file of `kind` (or of no kind yet known) that is over its limit.
    pub fn too_large(&self, kind: Option<MediaKind>) -> InputError {
        let bytes = kind.map_or(self.largest(), |k| self.max_bytes(k));
        InputError::FileTooLarge {
            limit_mb: u32::try_from(bytes.div_ceil(MB)).unwrap_or(u32::MAX),
        }
    }

    /// The refusal for one file more than a tip may carry.
    pub fn too_many(&self) -> InputError {
        InputError::TooManyFiles {
            max: u32::try_from(self.max_files).unwrap_or(u32::MAX),
        }
    }

    /// The limits in whole megabytes, for the form's hint: images, voice notes, documents,
    /// videos.
    pub fn megabytes(&self) -> [usize; 4] {
        [
            self.image_bytes,
            self.audio_bytes,
            self.document_bytes,
            self.video_bytes,
        ]
        .map(|b| b.div_ceil(MB))
    }
}

/// A kind of file we take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaKind {
    Jpeg,
    Png,
    Webp,
    /// HEIC/HEIF photos, as iPhones and many Android phones take them.
    Heic,
    /// MP4 video (ISO base media).
    Mp4,
    /// QuickTime video, as iPhones record.
    Mov,
    /// AAC voice notes in an MP4 container.
    M4a,
    /// MP3 voice notes and recordings.
    Mp3,
    /// AMR voice notes, as Android voice recorders write them.
    Amr,
    /// Opus voice notes in Ogg, as WhatsApp and many recorders write them.
    Ogg,
    /// PDF documents.
    Pdf,
}

impl MediaKind {
    pub const ALL: [MediaKind; 11] = [
        MediaKind::Jpeg,
        MediaKind::Png,
        MediaKind::Webp,
        MediaKind::Heic,
        MediaKind::Mp4,
        MediaKind::Mov,
        MediaKind::M4a,
        MediaKind::Mp3,
        MediaKind::Amr,
        MediaKind::Ogg,
        MediaKind::Pdf,
    ];

    pub fn key(self) -> &'static str {
        match self {
            MediaKind::Jpeg => "jpeg",
            MediaKind::Png => "png",
            MediaKind::Webp => "webp",
            MediaKind::Heic => "heic",
            MediaKind::Mp4 => "mp4",
            MediaKind::Mov => "mov",
            MediaKind::M4a => "m4a",
            MediaKind::Mp3 => "mp3",
            MediaKind::Amr => "amr",
            MediaKind::Ogg => "ogg",
            MediaKind::Pdf => "pdf",
        }
    }

    pub fn parse(key: &str) -> Option<MediaKind> {
        MediaKind::ALL.into_iter().find(|k| k.key() == key)
    }

    /// Photos decoded and encoded again, with a thumbnail for officers.
    pub fn is_image(self) -> bool {
        matches!(self, MediaKind::Jpeg | MediaKind::Png | MediaKind::Webp)
    }

    /// Kinds read whole before cleaning (photos and documents, at most 25 MB); video and audio
    /// are cleaned as they stream in.
    pub fn is_read_whole(self) -> bool {
        self.is_image() || matches!(self, MediaKind::Heic | MediaKind::Pdf)
    }

    /// The content type a download is served with.
    pub fn content_type(self) -> &'static str {
        match self {
            MediaKind::Jpeg => "image/jpeg",
            MediaKind::Png => "image/png",
            MediaKind::Webp => "image/webp",
            MediaKind::Heic => "image/heic",
            MediaKind::Mp4 => "video/mp4",
            MediaKind::Mov => "video/quicktime",
            MediaKind::M4a => "audio/mp4",
            MediaKind::Mp3 => "audio/mpeg",
            MediaKind::Amr => "audio/amr",
            MediaKind::Ogg => "audio/ogg",
            MediaKind::Pdf => "application/pdf",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            MediaKind::Jpeg => "jpg",
            MediaKind::Png => "png",
            MediaKind::Webp => "webp",
            MediaKind::Heic => "heic",
            MediaKind::Mp4 => "mp4",
            MediaKind::Mov => "mov",
            MediaKind::M4a => "m4a",
            MediaKind::Mp3 => "mp3",
            MediaKind::Amr => "amr",
            MediaKind::Ogg => "ogg",
            MediaKind::Pdf => "pdf",
        }
    }
}

/// Recognises a file by its first bytes.
pub fn sniff(bytes: &[u8]) -> Result<MediaKind, InputError> {
    if bytes.is_empty() {
        return Err(InputError::FileEmpty);
    }
    match infer::get(bytes).map(|t| t.mime_type()) {
        Some("image/jpeg") => Ok(MediaKind::Jpeg),
        Some("image/png") => Ok(MediaKind::Png),
        Some("image/webp") => Ok(MediaKind::Webp),
        Some("video/mp4" | "video/x-m4v") => Ok(MediaKind::Mp4),
        Some("video/quicktime") => Ok(MediaKind::Mov),
        Some("audio/m4a") => Ok(MediaKind::M4a),
        Some("audio/mpeg") => Ok(MediaKind::Mp3),
        Some("audio/amr") => Ok(MediaKind::Amr),
        // HEIF's brands for HEVC pictures (AVIF and image sequences are other brands).
        Some("image/heif") => Ok(MediaKind::Heic),
        // Vorbis and other codecs in Ogg are refused by the cleaner, which reads the header.
        Some("audio/opus" | "audio/ogg") => Ok(MediaKind::Ogg),
        Some("application/pdf") => Ok(MediaKind::Pdf),
        _ => Err(InputError::FileKindRefused),
    }
}

/// A photo cleaned of everything but its pixels.
pub struct CleanImage {
    pub kind: MediaKind,
    pub bytes: Vec<u8>,
    pub width: u32,
    pub height: u32,
    /// A JPEG at most [`THUMBNAIL_SIDE`] pixels a side, made from the clean pixels.
    pub thumbnail: Vec<u8>,
}

/// Longest side of a thumbnail.
pub const THUMBNAIL_SIDE: u32 = 320;

/// Checks a photo is whole and nothing else, then makes the clean copy. Slow: call it off the
/// async threads.
pub fn clean_image(kind: MediaKind, bytes: &[u8]) -> Result<CleanImage, InputError> {
    let image = decode_upright(kind, bytes)?;
    let (out_kind, image, out) = encode_clean(kind, image)?;
    let small = DynamicImage::ImageRgb8(image.thumbnail(THUMBNAIL_SIDE, THUMBNAIL_SIDE).to_rgb8());
    let mut thumbnail = Vec::new();
    small
        .write_with_encoder(image::codecs::jpeg::JpegEncoder::new_with_quality(
            &mut thumbnail,
            80,
        ))
        .map_err(|_| InputError::FileDamaged)?;
    Ok(CleanImage {
        kind: out_kind,
        width: image.width(),
        height: image.height(),
        bytes: out,
        thumbnail,
    })
}

/// A picture cleaned as [`clean_image`] cleans a photo, and made no larger than a page shows it
/// (a news post's picture, which is public).
pub struct CleanPicture {
    pub kind: MediaKind,
    pub bytes: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

/// Checks and cleans a photo like [`clean_image`], shrinking it to fit `max_width` ×
/// `max_height` (its proportions kept). Slow: call it off the async threads.
pub fn clean_picture(
    kind: MediaKind,
    bytes: &[u8],
    max_width: u32,
    max_height: u32,
) -> Result<CleanPicture, InputError> {
    let mut image = decode_upright(kind, bytes)?;
    if image.width() > max_width || image.height() > max_height {
        image = image.resize(
            max_width,
            max_height,
            image::imageops::FilterType::CatmullRom,
        );
    }
    let (kind, image, bytes) = encode_clean(kind, image)?;
    Ok(CleanPicture {
        kind,
        width: image.width(),
        height: image.height(),
        bytes,
    })
}

/// The pixels of a photo that is whole and nothing else, turned upright by its EXIF
/// orientation; nothing else of the file is kept.
fn decode_upright(kind: MediaKind, bytes: &[u8]) -> Result<DynamicImage, InputError> {
    check_structure(kind, bytes)?;
    let format = match kind {
        MediaKind::Jpeg => ImageFormat::Jpeg,
        MediaKind::Png => ImageFormat::Png,
        MediaKind::Webp => ImageFormat::WebP,
        _ => return Err(InputError::FileKindRefused),
    };
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(IMAGE_MAX_SIDE);
    limits.max_image_height = Some(IMAGE_MAX_SIDE);
    limits.max_alloc = Some(IMAGE_MAX_ALLOC);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(refusal)?;
    let orientation = decoder.orientation().map_err(refusal)?;
    let mut image = DynamicImage::from_decoder(decoder).map_err(refusal)?;
    image.apply_orientation(orientation);
    Ok(image)
}

/// Encodes the pixels afresh: photos with transparency stay PNG, everything else becomes a
/// JPEG of good quality.
fn encode_clean(
    kind: MediaKind,
    image: DynamicImage,
) -> Result<(MediaKind, DynamicImage, Vec<u8>), InputError> {
    let (out_kind, image) = if image.color().has_alpha() && kind != MediaKind::Jpeg {
        (MediaKind::Png, image)
    } else {
        (MediaKind::Jpeg, DynamicImage::ImageRgb8(image.into_rgb8()))
    };
    let mut out = Vec::new();
    let written = match out_kind {
        MediaKind::Png => image.write_to(&mut Cursor::new(&mut out), ImageFormat::Png),
        _ => image.write_with_encoder(image::codecs::jpeg::JpegEncoder::new_with_quality(
            &mut out, 88,
        )),
    };
    written.map_err(|_| InputError::FileDamaged)?;
    Ok((out_kind, image, out))
}

fn refusal(err: image::ImageError) -> InputError {
    match err {
        image::ImageError::Limits(_) => InputError::FileTooManyPixels,
        _ => InputError::FileDamaged,
    }
}

/// A file must end where its format says it ends: data hidden after the picture (a ZIP, a
/// script) makes it a polyglot, and a file cut short is damaged.
fn check_structure(kind: MediaKind, bytes: &[u8]) -> Result<(), InputError> {
    let end = match kind {
        MediaKind::Jpeg => jpeg_end(bytes),
        MediaKind::Png => png_end(bytes),
        MediaKind::Webp => webp_end(bytes),
        _ => None,
    }
    .ok_or(InputError::FileDamaged)?;
    // Some cameras pad the end with a few zero bytes.
    let trailing = &bytes[end..];
    if trailing.len() > 16 || trailing.iter().any(|b| *b != 0) {
        return Err(InputError::FilePolyglot);
    }
    Ok(())
}

/// Where a JPEG's end-of-image marker ends, walking its segments and entropy-coded data.
fn jpeg_end(b: &[u8]) -> Option<usize> {
    if b.get(..2)? != [0xFF, 0xD8] {
        return None;
    }
    let mut i = 2;
    loop {
        // Markers may be preceded by fill bytes 0xFF.
        while *b.get(i)? == 0xFF && *b.get(i + 1)? == 0xFF {
            i += 1;
        }
        if *b.get(i)? != 0xFF {
            return None;
        }
        let marker = *b.get(i + 1)?;
        i += 2;
        match marker {
            0xD9 => return Some(i),
            0x01 | 0xD0..=0xD7 => continue,
            _ => {}
        }
        let length = usize::from(u16::from_be_bytes([*b.get(i)?, *b.get(i + 1)?]));
        if length < 2 {
            return None;
        }
        i = i.checked_add(length)?;
        if i > b.len() {
            return None;
        }
        if marker == 0xDA {
            // Entropy-coded data runs to the next marker that is not a stuffed 0xFF00 or a
            // restart marker.
            loop {
                if *b.get(i)? == 0xFF {
                    let next = *b.get(i + 1)?;
                    if next != 0x00 && !(0xD0..=0xD7).contains(&next) && next != 0xFF {
                        break;
                    }
                    i += 2;
                } else {
                    i += 1;
                }
            }
        }
    }
}

/// Where a PNG's IEND chunk ends, walking its chunks.
fn png_end(b: &[u8]) -> Option<usize> {
    if b.get(..8)? != b"\x89PNG\r\n\x1a\n" {
        return None;
    }
    let mut i = 8;
    loop {
        let length = u32::from_be_bytes(b.get(i..i + 4)?.try_into().ok()?) as usize;
        let kind = b.get(i + 4..i + 8)?;
        let end = i.checked_add(12)?.checked_add(length)?;
        if end > b.len() {
            return None;
        }
        if kind == b"IEND" {
            return Some(end);
        }
        i = end;
    }
}

/// Where a WebP's RIFF container says it ends.
fn webp_end(b: &[u8]) -> Option<usize> {
    if b.get(..4)? != b"RIFF" || b.get(8..12)? != b"WEBP" {
        return None;
    }
    let size = u32::from_le_bytes(b.get(4..8)?.try_into().ok()?) as usize;
    let end = size.checked_add(8)?;
    (end <= b.len()).then_some(end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn photo(kind: ImageFormat, w: u32, h: u32) -> Vec<u8> {
        let image = DynamicImage::ImageRgb8(image::RgbImage::from_fn(w, h, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, 90])
        }));
        let mut out = Vec::new();
        image
            .write_to(&mut Cursor::new(&mut out), kind)
            .expect("encode");
        out
    }

    #[test]
    fn kinds_are_known_by_content() {
        assert_eq!(sniff(&photo(ImageFormat::Jpeg, 8, 8)), Ok(MediaKind::Jpeg));
        assert_eq!(sniff(&photo(ImageFormat::Png, 8, 8)), Ok(MediaKind::Png));
        assert_eq!(sniff(b""), Err(InputError::FileEmpty));
        assert_eq!(
            sniff(b"just text, named photo.jpg"),
            Err(InputError::FileKindRefused)
        );
        assert_eq!(sniff(b"%PDF-1.7\n"), Ok(MediaKind::Pdf));
        assert_eq!(
            sniff(b"GIF89a\x01\x00\x01\x00"),
            Err(InputError::FileKindRefused)
        );
    }

    #[test]
    fn pictures_are_shrunk_to_fit_and_keep_their_proportions() {
        let big = photo(ImageFormat::Png, 1800, 600);
        let clean = clean_picture(MediaKind::Png, &big, 1200, 1600).expect("clean");
        assert_eq!((clean.width, clean.height), (1200, 400));
        assert_eq!(clean.kind, MediaKind::Jpeg, "no transparency: a JPEG");
        let decoded = image::load_from_memory(&clean.bytes).expect("decodes");
        assert_eq!((decoded.width(), decoded.height()), (1200, 400));
        let small = photo(ImageFormat::Jpeg, 300, 200);
        let kept = clean_picture(MediaKind::Jpeg, &small, 1200, 1600).expect("clean");
        assert_eq!((kept.width, kept.height), (300, 200), "never enlarged");
        let mut polyglot = small.clone();
        polyglot.extend_from_slice(b"<script>alert(1)</script>");
        assert_eq!(
            clean_picture(MediaKind::Jpeg, &polyglot, 1200, 1600).err(),
            Some(InputError::FilePolyglot)
        );
    }

    #[test]
    fn whole_files_pass_and_cut_or_padded_ones_do_not() {
        // (A declared size too large to decode is tested through the tip form, in
        // tests/it/attachments.rs.)
        for format in [ImageFormat::Jpeg, ImageFormat::Png] {
            let bytes = photo(format, 40, 30);
            let kind = sniff(&bytes).expect("kind");
            let clean = clean_image(kind, &bytes).expect("clean");
            assert_eq!((clean.width, clean.height), (40, 30));
            let thumb = image::load_from_memory(&clean.thumbnail).expect("a thumbnail");
            assert!(thumb.width() <= THUMBNAIL_SIDE && thumb.height() <= THUMBNAIL_SIDE);
            let cut = &bytes[..bytes.len() - 10];
            assert_eq!(clean_image(kind, cut).err(), Some(InputError::FileDamaged));
            let mut polyglot = bytes.clone();
            polyglot.extend_from_slice(b"PK\x03\x04 a zip file hides here");
            assert_eq!(
                clean_image(kind, &polyglot).err(),
                Some(InputError::FilePolyglot)
            );
        }
    }
}
