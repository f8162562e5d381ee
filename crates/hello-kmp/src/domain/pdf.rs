//! PDF documents a tipster attaches, made safe to keep and to open. The clean copy is written
//! afresh from the latest revision's object graph, so nothing the graph does not reach survives:
//! not earlier revisions (editors and exiftool append changes and leave the old document
//! information in the file), not data hidden between objects or after the end.
//!
//! Removed: the document information dictionary and the file identifiers, every XMP metadata
//! stream, private application data (`/PieceInfo`), modification dates, annotation authors,
//! thumbnails, JavaScript, every action but a jump inside the document (so no web links, no
//! launching programs, no form submission, no opening other files), embedded and associated
//! files, file attachment, sound, movie and 3D annotations, XFA forms, digital signatures, and
//! the APP and comment segments of JPEG photos (where cameras put EXIF, GPS and XMP).
//!
//! Refused: anything that does not start as a PDF, a file without its end (cut short) or with
//! data after it, encrypted files, damaged ones, and files too big to clean safely.

use std::cell::Cell;
use std::collections::HashSet;
use std::panic::{self, AssertUnwindSafe};
use std::sync::{Mutex, PoisonError};

use lopdf::xref::XrefType;
use lopdf::{DecompressError, Dictionary, Document, Error, LoadOptions, Object, ObjectId, Stream};

use super::InputError;

/// Pages in a document we clean.
pub const PDF_MAX_PAGES: usize = 2_000;
/// Indirect objects in a document we clean, including those packed in object streams.
pub const PDF_MAX_OBJECTS: usize = 200_000;
/// Values (numbers, names, strings, array items, dictionary entries) held after parsing. Each
/// takes about 100 bytes in memory, so this keeps a parsed document under about 200 MB.
const MAX_VALUES: usize = 2_000_000;
/// Bytes of strings, names and stream data held after parsing.
const MAX_HELD_BYTES: usize = 64 * 1024 * 1024;
/// What one object or cross-reference stream may inflate to while the file is read. Real ones
/// are well under a megabyte; a flate bomb stops here.
const MAX_INFLATED_STREAM: usize = 8 * 1024 * 1024;

/// Cleans one document at a time, so the worst case in memory is that of one file however many
/// tipsters upload at once.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// Checks a PDF is whole, unencrypted and of a size we can clean, and writes a clean copy that
/// keeps its pages. Slow: call it off the async threads.
pub fn clean_pdf(bytes: &[u8]) -> Result<Vec<u8>, InputError> {
    check_envelope(bytes)?;
    if declares_encryption(bytes) {
        return Err(InputError::FileKindRefused);
    }

    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(PoisonError::into_inner);
    // A parser bug met by a crafted file must refuse that file, not fail the upload with a 500.
    panic::catch_unwind(AssertUnwindSafe(|| {
        let mut doc = load(bytes)?;
        check_loaded(&doc)?;
        let catalog = clean_objects(&mut doc)?;
        write(doc, catalog)
    }))
    .unwrap_or(Err(InputError::FileDamaged))
}

/// A PDF starts with its header and ends with `%%EOF`. Bytes after the last `%%EOF` other than
/// white space are not part of the document (a ZIP or script hidden there); the copy would not
/// carry them, but like photos such files are refused.
fn check_envelope(bytes: &[u8]) -> Result<(), InputError> {
    if bytes.is_empty() {
        return Err(InputError::FileEmpty);
    }
    if !bytes.starts_with(b"%PDF-") {
        return Err(InputError::FileKindRefused);
    }
    let end = bytes
        .windows(5)
        .rposition(|w| w == b"%%EOF")
        .ok_or(InputError::FileDamaged)?
        + 5;
    if bytes[end..].iter().any(|b| !is_white_space(*b)) {
        return Err(InputError::FilePolyglot);
    }
    Ok(())
}

/// Whether any name in the file reads `/Encrypt`, written plainly or with `#xx` escapes. The
/// trailer, the only place `/Encrypt` means anything, is never compressed, so this finds every
/// encrypted file before it is parsed. That matters: lopdf decrypts files whose user password is
/// empty and loads them without the budget [`load`] sets.
fn declares_encryption(bytes: &[u8]) -> bool {
    bytes
        .iter()
        .enumerate()
        .any(|(i, b)| *b == b'/' && name_is(&bytes[i + 1..], b"Encrypt"))
}

/// Whether the name starting at `rest` (after its slash) decodes to `wanted`.
fn name_is(rest: &[u8], wanted: &[u8]) -> bool {
    let mut i = 0;
    let mut matched = 0;
    while let Some(&c) = rest.get(i) {
        let byte = if c == b'#' {
            let hex = |at: usize| rest.get(at).and_then(|h| char::from(*h).to_digit(16));
            match (hex(i + 1), hex(i + 2)) {
                (Some(high), Some(low)) => {
                    i += 3;
                    (high * 16 + low) as u8
                }
                _ => break,
            }
        } else if is_regular(c) {
            i += 1;
            c
        } else {
            break;
        };
        if wanted.get(matched) != Some(&byte) {
            return false;
        }
        matched += 1;
    }
    matched == wanted.len()
}

fn is_white_space(b: u8) -> bool {
    b" \t\n\r\0\x0C".contains(&b)
}

fn is_regular(b: u8) -> bool {
    !is_white_space(b) && !b"()<>[]{}/%".contains(&b)
}

/// What the objects read so far hold. lopdf hands every object it parses, including those
/// unpacked from object streams, to a filter function, which keeps this count; it lives in a
/// thread-local because the filter must be a plain `fn`.
#[derive(Debug, Clone, Copy, Default)]
struct Budget {
    objects: usize,
    values: usize,
    bytes: usize,
    exceeded: bool,
}

thread_local! {
    static BUDGET: Cell<Option<Budget>> = const { Cell::new(None) };
}

/// A budget for one load on this thread, taken away again when dropped (also on a panic).
struct Armed;

impl Armed {
    fn new() -> Armed {
        BUDGET.set(Some(Budget::default()));
        Armed
    }

    fn exceeded(&self) -> bool {
        BUDGET.get().is_none_or(|budget| budget.exceeded)
    }
}

impl Drop for Armed {
    fn drop(&mut self) {
        BUDGET.set(None);
    }
}

/// The load filter: counts each object and drops every object once the budget is spent, so the
/// memory held stays bounded; [`load`] then refuses the file.
fn count_object(id: ObjectId, object: &mut Object) -> Option<(ObjectId, Object)> {
    // No budget on this thread means lopdf parsed on another thread (its `rayon` feature, which
    // we leave off); dropping everything makes the file refused rather than unbounded.
    let mut budget = BUDGET.get()?;
    let (values, bytes) = weigh(object);
    budget.objects += 1;
    budget.values = budget.values.saturating_add(values);
    budget.bytes = budget.bytes.saturating_add(bytes);
    budget.exceeded |= budget.objects > PDF_MAX_OBJECTS
        || budget.values > MAX_VALUES
        || budget.bytes > MAX_HELD_BYTES;
    BUDGET.set(Some(budget));
    // lopdf keeps the object it passed in for objects read from the file, and the returned one
    // for objects unpacked from object streams; a copy serves both.
    (!budget.exceeded).then(|| (id, object.clone()))
}

/// How many values an object holds, and how many bytes of strings, names and stream data.
/// Nesting is at most 100 deep, the parser's limit.
fn weigh(object: &Object) -> (usize, usize) {
    match object {
        Object::Name(bytes) | Object::String(bytes, _) => (1, bytes.len()),
        Object::Array(items) => items.iter().map(weigh).fold((1, 0), add),
        Object::Dictionary(dict) => weigh_dictionary(dict),
        Object::Stream(stream) => add(weigh_dictionary(&stream.dict), (0, stream.content.len())),
        _ => (1, 0),
    }
}

fn weigh_dictionary(dict: &Dictionary) -> (usize, usize) {
    dict.iter()
        .map(|(key, value)| add(weigh(value), (1, key.len())))
        .fold((1, 0), add)
}

fn add(a: (usize, usize), b: (usize, usize)) -> (usize, usize) {
    (a.0.saturating_add(b.0), a.1.saturating_add(b.1))
}

/// Parses the file within the budget. lopdf inflates object and cross-reference streams while
/// loading (bounded per stream here) and leaves every other stream as stored: page contents,
/// images and fonts are never inflated, on load or on save, so a flate bomb among them costs
/// only its compressed size.
fn load(bytes: &[u8]) -> Result<Document, InputError> {
    let budget = Armed::new();
    let options = LoadOptions {
        filter: Some(count_object),
        max_decompressed_size: Some(MAX_INFLATED_STREAM),
        ..LoadOptions::default()
    };
    let loaded = Document::load_mem_with_options(bytes, options);

    match loaded {
        _ if budget.exceeded() => Err(InputError::DocumentTooComplex),
        Err(Error::Decompress(DecompressError::MemoryLimitExceeded { .. })) => {
            Err(InputError::DocumentTooComplex)
        }
        Err(_) => Err(InputError::FileDamaged),
        Ok(doc) => Ok(doc),
    }
}

// Limitation: lopdf parses each object whole before the filter can weigh it, so one huge
// uncompressed array (a 25 MB file of `[0 0 0 ...]`) is held in memory once, about 50 times
// its size in bytes, before it is refused. One file at a time keeps that to one such peak.

/// Refuses what parsed but cannot be cleaned: an encrypted file that slipped past the scan, a
/// file without a catalog or pages, or one with too many pages.
fn check_loaded(doc: &Document) -> Result<(), InputError> {
    if doc.trailer.has(b"Encrypt") || doc.encryption_state.is_some() {
        return Err(InputError::FileKindRefused);
    }
    doc.catalog().map_err(|_| InputError::FileDamaged)?;
    match doc.page_iter().take(PDF_MAX_PAGES + 1).count() {
        0 => Err(InputError::FileDamaged),
        pages if pages > PDF_MAX_PAGES => Err(InputError::DocumentTooComplex),
        _ => Ok(()),
    }
}

/// Keys removed from every dictionary: metadata, private data, dates and authors, automatic
/// actions, attached files, XFA, signatures' companions, thumbnails and external content.
const DROPPED_KEYS: [&[u8]; 26] = [
    b"Metadata",
    b"PieceInfo",
    b"LastModified",
    b"AA",
    b"OpenAction",
    b"AF",
    b"EF",
    b"XFA",
    b"JavaScript",
    b"EmbeddedFiles",
    b"OPI",
    b"Thumb",
    b"SpiderInfo",
    b"Perms",
    b"DSS",
    b"Collection",
    b"Legal",
    b"Requirements",
    b"PA",
    b"Author",
    b"Creator",
    b"Producer",
    b"CreationDate",
    b"ModDate",
    b"Keywords",
    b"Subject",
];

/// What a page or a node of the page tree keeps: what it needs to be drawn, its annotations and
/// its place in the structure tree. Gone: `/ID`, `/PieceInfo`, `/Metadata`, `/AA`, `/Thumb`,
/// beads and anything unknown.
const PAGE_KEYS: [&[u8]; 21] = [
    b"Type",
    b"Parent",
    b"Kids",
    b"Count",
    b"Resources",
    b"MediaBox",
    b"CropBox",
    b"BleedBox",
    b"TrimBox",
    b"ArtBox",
    b"BoxColorInfo",
    b"Contents",
    b"Rotate",
    b"Group",
    b"Dur",
    b"Trans",
    b"Annots",
    b"StructParents",
    b"Tabs",
    b"UserUnit",
    b"VP",
];

/// What the catalog keeps. `/Names` is cut down to named destinations separately. Gone:
/// `/OpenAction`, `/AA`, `/URI`, `/Metadata`, `/Threads`, `/Perms`, `/Collection`, anything
/// unknown.
const CATALOG_KEYS: [&[u8]; 17] = [
    b"Type",
    b"Version",
    b"Extensions",
    b"Pages",
    b"PageLabels",
    b"Names",
    b"Dests",
    b"ViewerPreferences",
    b"PageLayout",
    b"PageMode",
    b"Outlines",
    b"AcroForm",
    b"StructTreeRoot",
    b"MarkInfo",
    b"Lang",
    b"OCProperties",
    b"OutputIntents",
];

/// Action types removed wherever they are: all but `/GoTo`, a jump to a page of this document.
/// Web links go too: a link planted for the officer who opens the file would tell the sender
/// when it was read and from where. The link's text stays on the page.
const REFUSED_ACTIONS: [&[u8]; 20] = [
    b"Launch",
    b"URI",
    b"JavaScript",
    b"SubmitForm",
    b"ImportData",
    b"ResetForm",
    b"GoToR",
    b"GoToE",
    b"GoToDp",
    b"Thread",
    b"Sound",
    b"Movie",
    b"Hide",
    b"Named",
    b"SetOCGState",
    b"Rendition",
    b"Trans",
    b"GoTo3DView",
    b"RichMediaExecute",
    b"ECMAScript",
];

/// Subtypes removed wherever they are: annotations that carry files, media, 3D or scripts, and
/// PostScript passed to printers.
const REFUSED_SUBTYPES: [&[u8]; 8] = [
    b"FileAttachment",
    b"Sound",
    b"Movie",
    b"Screen",
    b"RichMedia",
    b"3D",
    b"PS",
    b"XML",
];

/// Types removed wherever they are.
const REFUSED_TYPES: [&[u8]; 5] = [
    b"Filespec",
    b"EmbeddedFile",
    b"Metadata",
    b"Sig",
    b"DocTimeStamp",
];

/// Removes what could identify the sender or act on the reader, and returns the catalog's id.
fn clean_objects(doc: &mut Document) -> Result<ObjectId, InputError> {
    let catalog_id = doc
        .trailer
        .get(b"Root")
        .and_then(Object::as_reference)
        .map_err(|_| InputError::FileDamaged)?;
    let refused: HashSet<ObjectId> = doc
        .objects
        .iter()
        .filter(|(_, object)| is_refused(object))
        .map(|(id, _)| *id)
        .collect();
    if refused.contains(&catalog_id) {
        return Err(InputError::FileDamaged);
    }

    for id in &refused {
        doc.objects.remove(id);
    }
    for object in doc.objects.values_mut() {
        clean_object(object, &refused)?;
    }
    clean_catalog(doc, catalog_id)?;
    Ok(catalog_id)
}

fn is_refused(object: &Object) -> bool {
    match object {
        Object::Dictionary(dict) => is_refused_dictionary(dict),
        Object::Stream(stream) => is_refused_dictionary(&stream.dict),
        _ => false,
    }
}

fn is_refused_dictionary(dict: &Dictionary) -> bool {
    let name = |key: &[u8]| dict.get(key).and_then(Object::as_name).ok();
    let action = name(b"S");
    let kind = name(b"Type");
    dict.has(b"JS")
        // Signature dictionaries: the certificate and the signer's name.
        || dict.has(b"ByteRange")
        || action.is_some_and(|s| REFUSED_ACTIONS.contains(&s))
        || (kind == Some(b"Action".as_slice()) && action != Some(b"GoTo".as_slice()))
        || kind.is_some_and(|t| REFUSED_TYPES.contains(&t))
        || name(b"Subtype").is_some_and(|s| REFUSED_SUBTYPES.contains(&s))
        || name(b"Subtype2") == Some(b"PS".as_slice())
}

/// Whether a value is, or points to, something removed.
fn is_gone(value: &Object, refused: &HashSet<ObjectId>) -> bool {
    match value {
        Object::Reference(id) => refused.contains(id),
        object => is_refused(object),
    }
}

fn clean_object(object: &mut Object, refused: &HashSet<ObjectId>) -> Result<(), InputError> {
    match object {
        Object::Array(items) => {
            items.retain(|item| !is_gone(item, refused));
            for item in items {
                clean_object(item, refused)?;
            }
        }
        Object::Dictionary(dict) => clean_dictionary(dict, refused)?,
        Object::Stream(stream) => clean_stream(stream, refused)?,
        _ => {}
    }
    Ok(())
}

fn clean_dictionary(dict: &mut Dictionary, refused: &HashSet<ObjectId>) -> Result<(), InputError> {
    for key in DROPPED_KEYS {
        dict.remove(key);
    }
    let kind = dict.get_type().ok().map(<[u8]>::to_vec);
    if matches!(kind.as_deref(), Some(b"Page" | b"Pages")) {
        keep_only(dict, &PAGE_KEYS);
    }
    if dict.has(b"Rect") && dict.has(b"Subtype") {
        clean_annotation(dict);
    }
    dict.as_hashmap_mut()
        .retain(|_, value| !is_gone(value, refused));

    for (_, value) in dict.iter_mut() {
        clean_object(value, refused)?;
    }
    Ok(())
}

/// An annotation loses its dates and unique name; a comment also loses its `/T`, which by
/// convention names its author (often the computer's user name). A form field keeps `/T`, its
/// field name.
fn clean_annotation(dict: &mut Dictionary) {
    for key in [b"M".as_slice(), b"NM"] {
        dict.remove(key);
    }
    let widget = dict.get(b"Subtype").and_then(Object::as_name).ok() == Some(b"Widget".as_slice());
    if !widget {
        dict.remove(b"T");
    }
}

fn keep_only(dict: &mut Dictionary, keys: &[&[u8]]) {
    dict.as_hashmap_mut()
        .retain(|key, _| keys.contains(&key.as_slice()));
}

fn clean_stream(stream: &mut Stream, refused: &HashSet<ObjectId>) -> Result<(), InputError> {
    clean_dictionary(&mut stream.dict, refused)?;
    // Stream data kept in another file, and a form that shows a page of another file.
    for key in [b"F".as_slice(), b"FFilter", b"FDecodeParms", b"Ref"] {
        stream.dict.remove(key);
    }
    if matches!(stream.filters().as_deref(), Ok([b"DCTDecode"])) {
        stream.content = strip_jpeg(&stream.content).ok_or(InputError::FileDamaged)?;
    }
    // The copy's lengths are those of the data read, written in place; a `/Length` pointing to
    // another object (or saying something else) would not describe what is written.
    let length = i64::try_from(stream.content.len()).map_err(|_| InputError::DocumentTooComplex)?;
    stream.dict.set("Length", length);
    Ok(())
}

// Limitation: a JPEG behind another filter (`[/FlateDecode /DCTDecode]`), a JPEG 2000 image
// (`/JPXDecode`) and small inline images inside page contents keep whatever metadata they carry;
// cleaning them needs decoding first. Phone and scanner apps write plain `/DCTDecode` images.

// Limitation: unknown keys are removed only from the trailer, the catalog and pages; another
// dictionary (a font, an image) keeps a private key a producer put there, and text or comments
// in page contents are kept as they are. Content hidden in an optional-content layer stays.

/// A JPEG without the segments that carry metadata: EXIF and XMP (APP1), IPTC (APP13), other
/// APP segments, comments, and whatever follows the end of the image (such as the second picture
/// of a multi-picture file). Kept: the JFIF header, the ICC colour profile, Adobe's colour
/// transform and everything the decoder needs. `None` if the data is not a JPEG.
fn strip_jpeg(data: &[u8]) -> Option<Vec<u8>> {
    if !data.starts_with(&[0xFF, 0xD8]) {
        return None;
    }
    let mut out = Vec::with_capacity(data.len());
    out.extend_from_slice(&[0xFF, 0xD8]);
    // A segment cut short ends the copy: what was copied is all allow-listed, and a damaged
    // picture draws as damaged.
    let _complete = copy_kept_segments(data, &mut out);
    out.extend_from_slice(&[0xFF, 0xD9]);
    Some(out)
}

/// Copies the kept segments and the compressed picture data, up to the end-of-image marker
/// (not copied). `None` if the data ends or breaks before it.
fn copy_kept_segments(data: &[u8], out: &mut Vec<u8>) -> Option<()> {
    let mut i = 2;
    loop {
        if *data.get(i)? != 0xFF {
            return None;
        }
        while *data.get(i + 1)? == 0xFF {
            i += 1;
        }
        let marker = *data.get(i + 1)?;
        match marker {
            0xD9 => return Some(()),
            0x01 | 0xD0..=0xD7 => {
                out.extend_from_slice(&[0xFF, marker]);
                i += 2;
                continue;
            }
            _ => {}
        }
        let length = usize::from(u16::from_be_bytes([*data.get(i + 2)?, *data.get(i + 3)?]));
        let end = (i + 2).checked_add(length).filter(|_| length >= 2)?;
        let segment = data.get(i..end)?;
        if keeps_segment(marker, &segment[4..]) {
            out.extend_from_slice(segment);
        }
        i = end;
        if marker == 0xDA {
            let scan_end = scan_end(data, i);
            out.extend_from_slice(&data[i..scan_end]);
            i = scan_end;
        }
    }
}

/// Where the compressed data after a start-of-scan ends: at the next marker that is neither a
/// stuffed zero nor a restart marker, or at the end of the data.
fn scan_end(data: &[u8], mut i: usize) -> usize {
    while i < data.len() {
        if data[i] == 0xFF {
            match data.get(i + 1) {
                Some(0x00 | 0xD0..=0xD7) => i += 2,
                Some(_) => return i,
                None => return data.len(),
            }
        } else {
            i += 1;
        }
    }
    data.len()
}

fn keeps_segment(marker: u8, payload: &[u8]) -> bool {
    match marker {
        0xE0 => payload.starts_with(b"JFIF\0"),
        0xE2 => payload.starts_with(b"ICC_PROFILE\0"),
        0xEE => payload.starts_with(b"Adobe"),
        // Other APP segments, the reserved JPG extensions and comments.
        0xE1..=0xFE => false,
        _ => true,
    }
}

/// Cuts the catalog down to what displays the document; of its name trees only the named
/// destinations stay (gone: JavaScript, embedded files, templates, web capture, renditions).
fn clean_catalog(doc: &mut Document, catalog_id: ObjectId) -> Result<(), InputError> {
    let dests = doc
        .catalog()
        .and_then(|catalog| catalog.get_deref(b"Names", doc))
        .and_then(Object::as_dict)
        .and_then(|names| names.get(b"Dests"))
        .ok()
        .cloned();
    let catalog = doc
        .get_dictionary_mut(catalog_id)
        .map_err(|_| InputError::FileDamaged)?;

    keep_only(catalog, &CATALOG_KEYS);
    match dests {
        Some(dests) => {
            let mut names = Dictionary::new();
            names.set("Dests", dests);
            catalog.set("Names", names);
        }
        None => {
            catalog.remove(b"Names");
        }
    }
    Ok(())
}

/// Writes the objects the catalog reaches into a new file, with a trailer that holds only the
/// catalog: no `/Info`, no `/ID`, no `/Prev` to earlier revisions.
fn write(mut doc: Document, catalog_id: ObjectId) -> Result<Vec<u8>, InputError> {
    let mut trailer = Dictionary::new();
    trailer.set("Root", catalog_id);
    doc.trailer = trailer;
    doc.prune_objects();

    let mut copy = Document::new();
    copy.reference_table.cross_reference_type = XrefType::CrossReferenceTable;
    copy.version = match doc.version.as_str() {
        version @ ("1.0" | "1.1" | "1.2" | "1.3" | "1.4" | "1.5" | "1.6" | "1.7" | "2.0") => {
            version.to_owned()
        }
        _ => "1.7".to_owned(),
    };
    copy.max_id = doc.objects.keys().next_back().map_or(0, |id| id.0);
    copy.objects = std::mem::take(&mut doc.objects);
    copy.trailer = std::mem::take(&mut doc.trailer);

    let mut out = Vec::new();
    copy.save_to(&mut out)
        .map_err(|_| InputError::FileDamaged)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use std::io::Write as _;

    use lopdf::content::{Content, Operation};
    use lopdf::dictionary;

    use super::*;

    const IDENTIFYING: [&str; 12] = [
        "Rahim Uddin",
        "Samsung Notes",
        "GPSLatitude",
        "22.84",
        "app.alert",
        "secret attachment body",
        "rahim-notes.txt",
        "tracker.example",
        "Rahim's phone",
        "/Info",
        "/OpenAction",
        "/EmbeddedFile",
    ];

    fn text_content(text: &str) -> Vec<u8> {
        Content {
            operations: vec![
                Operation::new("BT", vec![]),
                Operation::new("Tf", vec!["F1".into(), 24.into()]),
                Operation::new("Td", vec![72.into(), 720.into()]),
                Operation::new("Tj", vec![Object::string_literal(text)]),
                Operation::new("ET", vec![]),
                Operation::new("Do", vec!["Im1".into()]),
            ],
        }
        .encode()
        .expect("content encodes")
    }

    fn jpeg_with_exif() -> Vec<u8> {
        let image = image::DynamicImage::ImageRgb8(image::RgbImage::from_pixel(
            8,
            8,
            image::Rgb([200, 30, 30]),
        ));
        let mut plain = Vec::new();
        image
            .write_to(
                &mut std::io::Cursor::new(&mut plain),
                image::ImageFormat::Jpeg,
            )
            .expect("encode");
        let segment = |marker: u8, payload: &[u8]| {
            let mut s = vec![0xFF, marker];
            s.extend_from_slice(
                &u16::try_from(payload.len() + 2)
                    .expect("short")
                    .to_be_bytes(),
            );
            s.extend_from_slice(payload);
            s
        };
        let mut jpeg = plain[..2].to_vec();
        jpeg.extend(segment(0xE1, b"Exif\0\0GPSLatitude 22.84 N"));
        jpeg.extend(segment(0xFE, b"Rahim's phone"));
        jpeg.extend_from_slice(&plain[2..]);
        jpeg
    }

    /// A one-page document carrying everything a tipster's phone could leave behind.
    fn tipster_document() -> Document {
        let mut doc = Document::new();
        doc.version = "1.7".into();
        doc.reference_table.cross_reference_type = XrefType::CrossReferenceTable;
        let pages_id = doc.new_object_id();
        let font_id = doc.add_object(dictionary! {
            "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
        });
        let xmp = b"<x:xmpmeta><rdf:Description exif:GPSLatitude=\"22.84\" \
            dc:creator=\"Rahim Uddin\"/></x:xmpmeta>";
        let image_xmp_id = doc.add_object(Stream::new(
            dictionary! { "Type" => "Metadata", "Subtype" => "XML" },
            xmp.to_vec(),
        ));
        let image_id = doc.add_object(Stream::new(
            dictionary! {
                "Type" => "XObject", "Subtype" => "Image", "Width" => 8, "Height" => 8,
                "ColorSpace" => "DeviceRGB", "BitsPerComponent" => 8,
                "Filter" => "DCTDecode", "Metadata" => image_xmp_id,
            },
            jpeg_with_exif(),
        ));
        let content_id = doc.add_object(Stream::new(
            dictionary! {},
            text_content("Chor Bazar Road 12"),
        ));
        let secret_id = doc.add_object(Stream::new(
            dictionary! { "Type" => "EmbeddedFile" },
            b"secret attachment body".to_vec(),
        ));
        let filespec_id = doc.add_object(dictionary! {
            "Type" => "Filespec",
            "F" => Object::string_literal("rahim-notes.txt"),
            "EF" => dictionary! { "F" => secret_id },
        });
        let attachment_id = doc.add_object(dictionary! {
            "Type" => "Annot", "Subtype" => "FileAttachment",
            "Rect" => vec![0.into(), 0.into(), 10.into(), 10.into()],
            "FS" => filespec_id,
        });
        let comment_id = doc.add_object(dictionary! {
            "Type" => "Annot", "Subtype" => "Text",
            "Rect" => vec![20.into(), 20.into(), 30.into(), 30.into()],
            "T" => Object::string_literal("Rahim Uddin"),
            "Contents" => Object::string_literal("the shop at the corner"),
            "M" => Object::string_literal("D:20260101120000+06'00'"),
        });
        let link_id = doc.add_object(dictionary! {
            "Type" => "Annot", "Subtype" => "Link",
            "Rect" => vec![40.into(), 40.into(), 90.into(), 50.into()],
            "A" => dictionary! {
                "S" => "URI", "URI" => Object::string_literal("https://tracker.example/t"),
            },
        });
        let page_id = doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => pages_id, "Contents" => content_id,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
            "Resources" => dictionary! {
                "Font" => dictionary! { "F1" => font_id },
                "XObject" => dictionary! { "Im1" => image_id },
            },
            "Annots" => vec![attachment_id.into(), comment_id.into(), link_id.into()],
            "PieceInfo" => dictionary! {
                "SamsungNotes" => dictionary! {
                    "Private" => Object::string_literal("Rahim's phone"),
                },
            },
        });
        doc.objects.insert(
            pages_id,
            Object::Dictionary(dictionary! {
                "Type" => "Pages", "Kids" => vec![page_id.into()], "Count" => 1,
            }),
        );
        let xmp_id = doc.add_object(Stream::new(
            dictionary! { "Type" => "Metadata", "Subtype" => "XML" },
            xmp.to_vec(),
        ));
        let script_id = doc.add_object(dictionary! {
            "S" => "JavaScript", "JS" => Object::string_literal("app.alert('hi')"),
        });
        let catalog_id = doc.add_object(dictionary! {
            "Type" => "Catalog", "Pages" => pages_id, "Metadata" => xmp_id,
            "OpenAction" => script_id,
            "Names" => dictionary! {
                "EmbeddedFiles" => dictionary! {
                    "Names" => vec![Object::string_literal("rahim-notes.txt"), filespec_id.into()],
                },
                "JavaScript" => dictionary! {
                    "Names" => vec![Object::string_literal("init"), script_id.into()],
                },
            },
        });
        let info_id = doc.add_object(dictionary! {
            "Author" => Object::string_literal("Rahim Uddin"),
            "Creator" => Object::string_literal("Samsung Notes"),
            "Producer" => Object::string_literal("Samsung Notes PDF"),
            "CreationDate" => Object::string_literal("D:20260101120000+06'00'"),
        });
        doc.trailer.set("Root", catalog_id);
        doc.trailer.set("Info", info_id);
        doc.trailer.set(
            "ID",
            vec![
                Object::string_literal("Rahim's phone 1"),
                Object::string_literal("Rahim's phone 2"),
            ],
        );
        doc
    }

    fn save(doc: &mut Document) -> Vec<u8> {
        let mut out = Vec::new();
        doc.save_to(&mut out).expect("save");
        out
    }

    fn contains(haystack: &[u8], needle: &str) -> bool {
        haystack
            .windows(needle.len())
            .any(|w| w == needle.as_bytes())
    }

    fn page_of(doc: &Document) -> &Dictionary {
        let page = doc.page_iter().next().expect("a page");
        doc.get_dictionary(page).expect("page dictionary")
    }

    #[test]
    fn identifying_metadata_and_active_content_are_removed() {
        let original = save(&mut tipster_document());
        for needle in IDENTIFYING {
            assert!(contains(&original, needle), "the test file lacks {needle}");
        }

        let clean = clean_pdf(&original).expect("clean");

        for needle in IDENTIFYING
            .iter()
            .chain(&["/ID", "/Metadata", "/JavaScript", "/URI"])
        {
            assert!(!contains(&clean, needle), "{needle} survived");
        }
        let doc = Document::load_mem(&clean).expect("the copy parses");
        assert!(!doc.trailer.has(b"Info") && !doc.trailer.has(b"ID"));
        let catalog = doc.catalog().expect("catalog");
        for key in [b"Metadata".as_slice(), b"OpenAction", b"Names"] {
            assert!(!catalog.has(key));
        }
        assert!(doc.objects.values().all(|object| !is_refused(object)));
    }

    #[test]
    fn pages_text_and_pictures_are_kept() {
        let clean = clean_pdf(&save(&mut tipster_document())).expect("clean");
        let doc = Document::load_mem(&clean).expect("the copy parses");

        assert_eq!(doc.get_pages().len(), 1);
        let page = page_of(&doc);
        assert!(!page.has(b"PieceInfo"));
        let content = doc.get_page_content(doc.page_iter().next().expect("a page"));
        assert!(contains(&content, "(Chor Bazar Road 12) Tj"));

        // The comment stays without its author; the link stays without its web address; the
        // attachment is gone.
        let annots = page
            .get(b"Annots")
            .and_then(Object::as_array)
            .expect("annots");
        assert_eq!(annots.len(), 2);
        let comment = doc
            .get_dictionary(annots[0].as_reference().expect("ref"))
            .expect("comment");
        assert!(!comment.has(b"T") && !comment.has(b"M"));
        assert!(contains(
            comment
                .get(b"Contents")
                .and_then(Object::as_str)
                .expect("text"),
            "the shop at the corner"
        ));
        let link = doc
            .get_dictionary(annots[1].as_reference().expect("ref"))
            .expect("link");
        assert!(!link.has(b"A"));

        // The photo still decodes, without its EXIF and comment segments or its XMP.
        let image = doc
            .objects
            .values()
            .filter_map(|o| o.as_stream().ok())
            .find(|s| {
                s.dict.get(b"Subtype").and_then(Object::as_name).ok() == Some(b"Image".as_slice())
            })
            .expect("the image");
        assert!(!image.dict.has(b"Metadata"));
        assert!(!contains(&image.content, "Exif"));
        let decoded = image::load_from_memory(&image.content).expect("decodes");
        assert_eq!((decoded.width(), decoded.height()), (8, 8));
    }

    /// Appends an incremental update holding `body` as object `id` and a trailer whose
    /// `/Info` (if any) points to `info`.
    fn append_update(pdf: &[u8], id: u32, body: &[u8], root: ObjectId, info: bool) -> Vec<u8> {
        let text = String::from_utf8_lossy(pdf);
        let prev: usize = text
            .rsplit("startxref")
            .next()
            .and_then(|tail| tail.split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .expect("startxref");
        let mut out = pdf.to_vec();
        out.push(b'\n');
        let offset = out.len();
        writeln!(out, "{id} 0 obj").expect("write");
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
        let xref = out.len();
        let info = if info {
            format!("/Info {id} 0 R ")
        } else {
            String::new()
        };
        write!(
            out,
            "xref\n0 1\n0000000000 65535 f \n{id} 1\n{offset:010} 00000 n \n\
             trailer\n<< /Size {} /Root {} 0 R {info}/Prev {prev} >>\nstartxref\n{xref}\n%%EOF\n",
            id + 1,
            root.0,
        )
        .expect("write");
        out
    }

    #[test]
    fn earlier_revisions_are_gone() {
        let mut doc = tipster_document();
        let old_info =
            doc.add_object(dictionary! { "Author" => Object::string_literal("Karim Old Author") });
        doc.trailer.set("Info", old_info);
        let root = doc
            .trailer
            .get(b"Root")
            .and_then(Object::as_reference)
            .expect("root");
        let first = save(&mut doc);
        let next_id = doc.max_id + 1;
        let updated = append_update(
            &first,
            next_id,
            b"<< /Author (Rahim New Author) /Producer (exiftool) >>",
            root,
            true,
        );
        let reread = Document::load_mem(&updated).expect("the update is valid");
        let info = reread
            .trailer
            .get(b"Info")
            .and_then(Object::as_reference)
            .expect("info");
        assert_eq!(info.0, next_id);
        assert!(contains(&updated, "Karim Old Author") && contains(&updated, "Rahim New Author"));

        let clean = clean_pdf(&updated).expect("clean");

        assert!(!contains(&clean, "Karim Old Author"));
        assert!(!contains(&clean, "Rahim New Author"));
        assert!(!contains(&clean, "/Prev"));
        assert_eq!(clean.windows(5).filter(|w| w == b"%%EOF").count(), 1);
    }

    #[test]
    fn what_is_not_a_whole_pdf_is_refused() {
        let pdf = save(&mut tipster_document());
        assert_eq!(clean_pdf(b""), Err(InputError::FileEmpty));
        assert_eq!(
            clean_pdf(b"PK\x03\x04 a zip"),
            Err(InputError::FileKindRefused)
        );
        assert_eq!(clean_pdf(b"just text"), Err(InputError::FileKindRefused));
        assert_eq!(
            clean_pdf(b"%PDF-1.7\n%%EOF\n"),
            Err(InputError::FileDamaged)
        );
        assert_eq!(
            clean_pdf(&pdf[..pdf.len() / 2]),
            Err(InputError::FileDamaged)
        );
        assert_eq!(
            clean_pdf(&pdf[..pdf.len() - 3]),
            Err(InputError::FileDamaged)
        );

        let mut polyglot = pdf.clone();
        polyglot.extend_from_slice(b"PK\x03\x04 a zip file hides here");
        assert_eq!(clean_pdf(&polyglot), Err(InputError::FilePolyglot));
        let mut padded = pdf;
        padded.extend_from_slice(b"\r\n\n  \0");
        assert!(clean_pdf(&padded).is_ok());
    }

    fn encrypted(user_password: &str) -> Vec<u8> {
        let mut doc = tipster_document();
        let state = lopdf::EncryptionState::try_from(lopdf::EncryptionVersion::V2 {
            document: &doc,
            owner_password: "owner",
            user_password,
            key_length: 128,
            permissions: lopdf::Permissions::all(),
        })
        .expect("encryption state");
        doc.encrypt(&state).expect("encrypt");
        save(&mut doc)
    }

    #[test]
    fn encrypted_files_are_refused() {
        for user_password in ["secret", ""] {
            let pdf = encrypted(user_password);
            assert!(contains(&pdf, "/Encrypt"));
            assert_eq!(clean_pdf(&pdf), Err(InputError::FileKindRefused));
        }
        assert!(declares_encryption(b"<< /Root 1 0 R /Encr#79pt 5 0 R >>"));
        assert!(declares_encryption(b"<</Encrypt<<>>>>"));
        assert!(!declares_encryption(
            b"<< /EncryptMetadata false /Encryp >>"
        ));
    }

    #[test]
    fn too_many_pages_are_refused() {
        let mut doc = tipster_document();
        let pages_id = doc
            .catalog()
            .and_then(|c| c.get(b"Pages"))
            .and_then(Object::as_reference)
            .expect("pages");
        let kids: Vec<Object> = (0..=PDF_MAX_PAGES)
            .map(|_| {
                doc.add_object(dictionary! { "Type" => "Page", "Parent" => pages_id })
                    .into()
            })
            .collect();
        let count = i64::try_from(kids.len()).expect("count");
        let pages = doc.get_dictionary_mut(pages_id).expect("pages");
        pages.set("Kids", kids);
        pages.set("Count", count);

        assert_eq!(
            clean_pdf(&save(&mut doc)),
            Err(InputError::DocumentTooComplex)
        );
    }

    #[test]
    fn too_many_objects_are_refused() {
        let mut doc = tipster_document();
        for n in 0..PDF_MAX_OBJECTS {
            doc.add_object(i64::try_from(n).expect("small"));
        }
        assert_eq!(
            clean_pdf(&save(&mut doc)),
            Err(InputError::DocumentTooComplex)
        );
    }

    fn flate_bomb(size: usize) -> Vec<u8> {
        let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        let zeros = vec![0u8; 1024 * 1024];
        for _ in 0..size / zeros.len() {
            encoder.write_all(&zeros).expect("compress");
        }
        encoder.finish().expect("compress")
    }

    #[test]
    fn flate_bombs_are_not_inflated() {
        // As page content: carried over compressed, never inflated.
        let mut doc = tipster_document();
        let page = doc.page_iter().next().expect("a page");
        let data = flate_bomb(32 * 1024 * 1024);
        let bomb = doc.add_object(Stream::new(
            dictionary! { "Filter" => "FlateDecode" },
            data.clone(),
        ));
        doc.get_dictionary_mut(page)
            .expect("page")
            .set("Contents", bomb);
        let pdf = save(&mut doc);
        let clean = clean_pdf(&pdf).expect("clean");
        assert!(clean.len() < pdf.len() + 1024);

        // As an object stream, which lopdf inflates while reading: refused at the limit.
        let mut doc = tipster_document();
        let root = doc
            .trailer
            .get(b"Root")
            .and_then(Object::as_reference)
            .expect("root");
        let pdf = save(&mut doc);
        let mut body = format!(
            "<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length {} >>\nstream\n",
            data.len()
        )
        .into_bytes();
        body.extend_from_slice(&data);
        body.extend_from_slice(b"\nendstream");
        let bombed = append_update(&pdf, doc.max_id + 1, &body, root, false);
        assert_eq!(clean_pdf(&bombed), Err(InputError::DocumentTooComplex));
    }

    #[test]
    fn jpeg_segments_are_filtered() {
        let jpeg = jpeg_with_exif();
        let clean = strip_jpeg(&jpeg).expect("a jpeg");
        assert!(!contains(&clean, "Exif") && !contains(&clean, "Rahim"));
        assert!(contains(&clean, "JFIF"));
        image::load_from_memory(&clean).expect("decodes");

        let mut trailing = jpeg.clone();
        trailing.extend_from_slice(b"second picture from Rahim");
        assert!(!contains(&strip_jpeg(&trailing).expect("a jpeg"), "Rahim"));
        let cut = strip_jpeg(&jpeg[..12]).expect("a jpeg start");
        assert!(!contains(&cut, "Exif"));
        assert_eq!(strip_jpeg(b"not a jpeg"), None);
    }
}
