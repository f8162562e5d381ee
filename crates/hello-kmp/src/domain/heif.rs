//! Cleaning HEIC/HEIF photos (what iPhones and many Android phones take) without decoding them:
//! this server has no HEVC decoder, and the picture itself must not change.
//!
//! A HEIF file is ISO base media: a `meta` box describes items (the picture, its tiles, a
//! thumbnail, EXIF, XMP), where each item's bytes lie (`iloc`, pointing into `mdat` or `idat`),
//! how items refer to each other (`iref`) and their properties (`iprp`: size, rotation, colour,
//! decoder set-up). The clean copy keeps the same size and layout, so every offset stays valid:
//!
//! - EXIF, XMP and every other metadata item (`mime`, `uri `), thumbnails, and what only they
//!   use, are taken out: their entries are renamed `free` and hidden, their names erased, the
//!   references from them renamed `free`.
//! - Every byte of `mdat` and `idat` that no kept item uses is zeroed: the metadata's own bytes,
//!   old copies left behind by editors, and anything hidden between items.
//! - Boxes not known to carry only picture structure become `free` boxes of the same size with
//!   their content zeroed (user descriptions, XML boxes, entity groups, top-level extras).
//!
//! The rotation and mirroring are properties of the picture (`irot`, `imir`), which HEIF readers
//! apply and EXIF's orientation does not override, so the photo stays upright.
//
// Limitation: the colour profile (`colr`) is kept because the colours depend on it; an ICC
// profile can name the software that made it (Apple's says "Display P3"), not a device or place.
// The coded picture is kept as it is: an encoder may write its name and settings into the HEVC
// stream (x265 does; phones' encoders were not seen to).

use std::collections::{HashMap, HashSet};

use super::InputError;

/// The HEIF item types that are metadata, not pictures.
const METADATA_ITEMS: [&[u8; 4]; 3] = [b"Exif", b"mime", b"uri "];
/// Top-level boxes kept as they are (`meta` is cleaned inside).
const KEEP_TOP: [&[u8; 4]; 2] = [b"ftyp", b"mdat"];
/// Boxes inside `meta` a reader needs; every other is blanked.
const KEEP_IN_META: [&[u8; 4]; 8] = [
    b"hdlr", b"pitm", b"iloc", b"iinf", b"iref", b"iprp", b"idat", b"dinf",
];
/// Properties that describe how to decode and show a picture. Others (a user description
/// `udes` with names and tags, vendor extensions) are blanked.
const KEEP_PROPERTIES: [&[u8; 4]; 14] = [
    b"hvcC", b"ispe", b"pixi", b"colr", b"irot", b"imir", b"clap", b"auxC", b"rloc", b"lsel",
    b"clli", b"mdcv", b"pasp", b"lhvC",
];
/// The kinds of reference that make the referring item part of another one that is removed.
const FOLLOWS_ITS_TARGET: [&[u8; 4]; 3] = [b"thmb", b"auxl", b"cdsc"];

/// A HEIF photo cleaned of its metadata.
pub struct CleanHeif {
    pub bytes: Vec<u8>,
    /// The primary picture's size as shown (after rotation), when the file states it.
    pub width: Option<u32>,
    pub height: Option<u32>,
}

/// A box: where its header starts, where its content starts and where it ends.
#[derive(Debug, Clone, Copy)]
struct Span {
    kind: [u8; 4],
    start: usize,
    body: usize,
    end: usize,
}

/// One item of the file, as `iinf` names it.
struct Item {
    kind: [u8; 4],
    /// The `infe` box describing it.
    entry: Span,
}

/// Where an item's bytes are.
struct Location {
    /// 0: the file, 1: `idat`, 2: other items.
    method: u8,
    extents: Vec<(u64, u64)>,
}

/// One `iref` entry: `from` refers to `to` in the manner `kind`.
struct Reference {
    span: Span,
    from: u32,
    to: Vec<u32>,
}

/// What the `meta` box says, with where each part is, so it can be changed in place.
#[derive(Default)]
struct Meta {
    primary: Option<u32>,
    items: HashMap<u32, Item>,
    locations: HashMap<u32, Location>,
    references: Vec<Reference>,
    /// Property boxes in `ipco`, in order (`ipma` numbers them from 1).
    properties: Vec<Span>,
    /// Each item's property numbers.
    associations: HashMap<u32, Vec<u16>>,
    idat: Option<Span>,
    /// Boxes inside `meta` (and `iprp`) to blank.
    blank: Vec<Span>,
}

/// Checks a HEIF photo is whole and only a photo, and writes the clean copy.
pub fn clean_heif(input: &[u8]) -> Result<CleanHeif, InputError> {
    let top = boxes(input, 0, input.len())?;
    if top.first().map(|b| &b.kind) != Some(b"ftyp") {
        return Err(InputError::FileDamaged);
    }
    let metas: Vec<&Span> = top.iter().filter(|b| &b.kind == b"meta").collect();
    let [meta_box] = metas[..] else {
        return Err(InputError::FileDamaged);
    };
    let meta = read_meta(input, meta_box)?;
    let mdats: Vec<Span> = top.iter().copied().filter(|b| &b.kind == b"mdat").collect();

    let removed = removed_items(&meta);
    let kept = kept_ranges(&meta, &removed, &mdats, input.len())?;

    let mut out = input.to_vec();
    for b in top
        .iter()
        .filter(|b| !KEEP_TOP.contains(&&b.kind) && &b.kind != b"meta")
    {
        blank(&mut out, b);
    }
    for b in &meta.blank {
        blank(&mut out, b);
    }
    for property in meta.properties.iter() {
        if !KEEP_PROPERTIES.contains(&&property.kind) {
            blank(&mut out, property);
        }
    }
    for id in &removed {
        if let Some(item) = meta.items.get(id) {
            hide_entry(&mut out, &item.entry);
        }
    }
    for reference in meta.references.iter().filter(|r| removed.contains(&r.from)) {
        out[reference.span.start + 4..reference.span.start + 8].copy_from_slice(b"free");
    }
    let data: Vec<Span> = mdats.iter().copied().chain(meta.idat).collect();
    for span in &data {
        zero_unused(&mut out, span, &kept);
    }

    let (width, height) = shown_size(input, &meta).unzip();
    Ok(CleanHeif {
        bytes: out,
        width,
        height,
    })
}

/// The boxes between `from` and `to`, which they must fill exactly.
fn boxes(b: &[u8], from: usize, to: usize) -> Result<Vec<Span>, InputError> {
    let mut spans = Vec::new();
    let mut at = from;
    while at < to {
        let span = read_box(b, at, to)?;
        at = span.end;
        spans.push(span);
    }
    Ok(spans)
}

fn read_box(b: &[u8], at: usize, limit: usize) -> Result<Span, InputError> {
    if limit - at < 8 {
        // Bytes after the last box are not part of the photo: something hidden there.
        return Err(if limit == b.len() {
            InputError::FilePolyglot
        } else {
            InputError::FileDamaged
        });
    }
    let size = u64::from(be32(b, at)?);
    let kind: [u8; 4] = b[at + 4..at + 8]
        .try_into()
        .map_err(|_| InputError::FileDamaged)?;
    let (size, body) = match size {
        0 => ((limit - at) as u64, at + 8),
        1 => (be64(b, at + 8)?, at + 16),
        n => (n, at + 8),
    };
    let end = usize::try_from(size)
        .ok()
        .and_then(|s| at.checked_add(s))
        .filter(|end| *end <= limit && *end >= body)
        .ok_or(InputError::FileDamaged)?;
    Ok(Span {
        kind,
        start: at,
        body,
        end,
    })
}

fn read_meta(b: &[u8], meta: &Span) -> Result<Meta, InputError> {
    // `meta` is a full box: four bytes of version and flags before its children.
    let mut out = Meta::default();
    let mut saw_handler = false;
    for child in boxes(b, meta.body + 4, meta.end)? {
        match &child.kind {
            b"hdlr" => {
                saw_handler = true;
                if field(b, child.body + 8, 4)? != b"pict" {
                    return Err(InputError::FileKindRefused);
                }
            }
            b"pitm" => {
                let wide = version(b, &child)? > 0;
                out.primary = Some(read_id(b, child.body + 4, wide)?);
            }
            b"iinf" => read_items(b, &child, &mut out)?,
            b"iloc" => read_locations(b, &child, &mut out)?,
            b"iref" => read_references(b, &child, &mut out)?,
            b"iprp" => read_properties(b, &child, &mut out)?,
            b"idat" => out.idat = Some(child),
            kind if KEEP_IN_META.contains(&kind) => {}
            _ => out.blank.push(child),
        }
    }
    if !saw_handler || out.primary.is_none() {
        return Err(InputError::FileDamaged);
    }
    Ok(out)
}

fn read_items(b: &[u8], iinf: &Span, meta: &mut Meta) -> Result<(), InputError> {
    let count_len = if version(b, iinf)? == 0 { 2 } else { 4 };
    for entry in boxes(b, iinf.body + 4 + count_len, iinf.end)? {
        if &entry.kind != b"infe" {
            return Err(InputError::FileDamaged);
        }
        // Item info entries before version 2 carry no item type; phones write 2 or 3.
        let v = version(b, &entry)?;
        if v < 2 {
            return Err(InputError::FileDamaged);
        }
        let id = read_id(b, entry.body + 4, v == 3)?;
        let kind_at = entry.body + 4 + if v == 3 { 4 } else { 2 } + 2;
        let kind: [u8; 4] = field(b, kind_at, 4)?
            .try_into()
            .map_err(|_| InputError::FileDamaged)?;
        if meta.items.insert(id, Item { kind, entry }).is_some() {
            return Err(InputError::FileDamaged);
        }
    }
    Ok(())
}

fn read_locations(b: &[u8], iloc: &Span, meta: &mut Meta) -> Result<(), InputError> {
    let v = version(b, iloc)?;
    if v > 2 {
        return Err(InputError::FileDamaged);
    }
    let mut r = Reader {
        b,
        at: iloc.body + 4,
        end: iloc.end,
    };
    let sizes = r.uint(2)?;
    let (offset_size, length_size) = ((sizes >> 12) & 0xf, (sizes >> 8) & 0xf);
    let (base_size, index_size) = ((sizes >> 4) & 0xf, sizes & 0xf);
    let count = r.uint(if v < 2 { 2 } else { 4 })?;
    for _ in 0..count {
        let id = r.uint(if v < 2 { 2 } else { 4 })? as u32;
        let method = if v == 0 { 0 } else { (r.uint(2)? & 0xf) as u8 };
        if r.uint(2)? != 0 {
            // Data in another file.
            return Err(InputError::FileDamaged);
        }
        let base = r.uint(base_size as usize)?;
        let extents = r.uint(2)?;
        let mut location = Location {
            method,
            extents: Vec::new(),
        };
        for _ in 0..extents {
            if v > 0 && index_size > 0 {
                r.uint(index_size as usize)?;
            }
            let offset = base
                .checked_add(r.uint(offset_size as usize)?)
                .ok_or(InputError::FileDamaged)?;
            let length = r.uint(length_size as usize)?;
            location.extents.push((offset, length));
        }
        if meta.locations.insert(id, location).is_some() {
            return Err(InputError::FileDamaged);
        }
    }
    Ok(())
}

fn read_references(b: &[u8], iref: &Span, meta: &mut Meta) -> Result<(), InputError> {
    let wide = version(b, iref)? > 0;
    let width = if wide { 4 } else { 2 };
    for span in boxes(b, iref.body + 4, iref.end)? {
        let mut r = Reader {
            b,
            at: span.body,
            end: span.end,
        };
        let from = r.uint(width)? as u32;
        let count = r.uint(2)?;
        let to = (0..count)
            .map(|_| r.uint(width).map(|id| id as u32))
            .collect::<Result<Vec<u32>, _>>()?;
        meta.references.push(Reference { span, from, to });
    }
    Ok(())
}

fn read_properties(b: &[u8], iprp: &Span, meta: &mut Meta) -> Result<(), InputError> {
    for child in boxes(b, iprp.body, iprp.end)? {
        match &child.kind {
            b"ipco" => meta.properties = boxes(b, child.body, child.end)?,
            b"ipma" => read_associations(b, &child, meta)?,
            _ => meta.blank.push(child),
        }
    }
    Ok(())
}

fn read_associations(b: &[u8], ipma: &Span, meta: &mut Meta) -> Result<(), InputError> {
    let v = version(b, ipma)?;
    let large = be32(b, ipma.body)? & 1 == 1;
    let mut r = Reader {
        b,
        at: ipma.body + 4,
        end: ipma.end,
    };
    for _ in 0..r.uint(4)? {
        let id = r.uint(if v < 1 { 2 } else { 4 })? as u32;
        let count = r.uint(1)?;
        let numbers = (0..count)
            .map(|_| {
                if large {
                    r.uint(2).map(|n| (n & 0x7fff) as u16)
                } else {
                    r.uint(1).map(|n| (n & 0x7f) as u16)
                }
            })
            .collect::<Result<Vec<u16>, _>>()?;
        meta.associations.insert(id, numbers);
    }
    Ok(())
}

/// The items taken out: metadata, thumbnails, and what exists only for them (a thumbnail's
/// tiles or alpha plane, metadata about a removed item).
fn removed_items(meta: &Meta) -> HashSet<u32> {
    let mut removed: HashSet<u32> = meta
        .items
        .iter()
        .filter(|(_, item)| METADATA_ITEMS.contains(&&item.kind))
        .map(|(id, _)| *id)
        .collect();
    for r in meta.references.iter().filter(|r| &r.span.kind == b"thmb") {
        if Some(r.from) != meta.primary {
            removed.insert(r.from);
        }
    }
    loop {
        let before = removed.len();
        for r in &meta.references {
            let follows = FOLLOWS_ITS_TARGET.contains(&&r.span.kind);
            if follows && r.to.iter().any(|to| removed.contains(to)) && Some(r.from) != meta.primary
            {
                removed.insert(r.from);
            }
        }
        // Tiles used only by removed pictures.
        for (id, _) in meta.items.iter() {
            let users: Vec<u32> = meta
                .references
                .iter()
                .filter(|r| &r.span.kind == b"dimg" && r.to.contains(id))
                .map(|r| r.from)
                .collect();
            if !users.is_empty() && users.iter().all(|u| removed.contains(u)) {
                removed.insert(*id);
            }
        }
        if removed.len() == before {
            return removed;
        }
    }
}

/// Byte ranges the kept items use: in the file (for `mdat`) and in `idat`, as absolute file
/// offsets. A kept item whose bytes lie outside the data boxes makes the file damaged.
fn kept_ranges(
    meta: &Meta,
    removed: &HashSet<u32>,
    mdats: &[Span],
    file_len: usize,
) -> Result<Vec<(usize, usize)>, InputError> {
    let mut kept = Vec::new();
    for (id, location) in &meta.locations {
        if removed.contains(id) {
            continue;
        }
        for &(offset, length) in &location.extents {
            let (start, end, within): (u64, u64, Vec<Span>) = match location.method {
                0 => {
                    let end = if length == 0 {
                        file_len as u64
                    } else {
                        offset.checked_add(length).ok_or(InputError::FileDamaged)?
                    };
                    (offset, end, mdats.to_vec())
                }
                1 => {
                    let idat = meta.idat.ok_or(InputError::FileDamaged)?;
                    let start = (idat.body as u64)
                        .checked_add(offset)
                        .ok_or(InputError::FileDamaged)?;
                    let end = if length == 0 {
                        idat.end as u64
                    } else {
                        start.checked_add(length).ok_or(InputError::FileDamaged)?
                    };
                    (start, end, vec![idat])
                }
                // Made from other items' bytes, which are counted with those items.
                _ => continue,
            };
            let inside = within
                .iter()
                .any(|s| start >= s.body as u64 && end <= s.end as u64);
            if !inside {
                return Err(InputError::FileDamaged);
            }
            kept.push((start as usize, end as usize));
        }
    }
    Ok(kept)
}

/// Zeroes the bytes of a data box that no kept range covers.
fn zero_unused(out: &mut [u8], span: &Span, kept: &[(usize, usize)]) {
    let mut inside: Vec<(usize, usize)> = kept
        .iter()
        .filter(|(s, e)| *s < span.end && *e > span.body)
        .map(|(s, e)| ((*s).max(span.body), (*e).min(span.end)))
        .collect();
    inside.sort_unstable();
    let mut at = span.body;
    for (start, end) in inside {
        if start > at {
            out[at..start].fill(0);
        }
        at = at.max(end);
    }
    if at < span.end {
        out[at..span.end].fill(0);
    }
}

/// Turns a box into a `free` box of the same size, its content zeroed.
fn blank(out: &mut [u8], span: &Span) {
    out[span.start + 4..span.start + 8].copy_from_slice(b"free");
    out[span.body..span.end].fill(0);
}

/// Makes an item entry name nothing a reader shows: type `free`, hidden, its name (and a
/// metadata item's content type) erased.
fn hide_entry(out: &mut [u8], entry: &Span) {
    let wide = out[entry.body] == 3;
    // The flags' lowest bit hides the item.
    out[entry.body + 3] |= 1;
    let kind_at = entry.body + 4 + if wide { 4 } else { 2 } + 2;
    out[kind_at..kind_at + 4].copy_from_slice(b"free");
    out[kind_at + 4..entry.end].fill(0);
}

/// The primary picture's width and height as shown, turned by its rotation.
fn shown_size(b: &[u8], meta: &Meta) -> Option<(u32, u32)> {
    let numbers = meta.associations.get(&meta.primary?)?;
    let mut size = None;
    let mut turned = false;
    for n in numbers {
        let property = meta.properties.get(usize::from(*n).checked_sub(1)?)?;
        match &property.kind {
            b"ispe" => {
                size = Some((
                    be32(b, property.body + 4).ok()?,
                    be32(b, property.body + 8).ok()?,
                ))
            }
            b"irot" => turned = b.get(property.body)? & 1 == 1,
            _ => {}
        }
    }
    let (w, h) = size?;
    Some(if turned { (h, w) } else { (w, h) })
}

fn version(b: &[u8], span: &Span) -> Result<u8, InputError> {
    if span.end - span.body < 4 {
        return Err(InputError::FileDamaged);
    }
    Ok(b[span.body])
}

fn read_id(b: &[u8], at: usize, wide: bool) -> Result<u32, InputError> {
    if wide {
        be32(b, at)
    } else {
        Ok(u32::from(u16::from_be_bytes(
            field(b, at, 2)?
                .try_into()
                .map_err(|_| InputError::FileDamaged)?,
        )))
    }
}

fn field(b: &[u8], at: usize, len: usize) -> Result<&[u8], InputError> {
    b.get(at..at + len).ok_or(InputError::FileDamaged)
}

fn be32(b: &[u8], at: usize) -> Result<u32, InputError> {
    Ok(u32::from_be_bytes(
        field(b, at, 4)?
            .try_into()
            .map_err(|_| InputError::FileDamaged)?,
    ))
}

fn be64(b: &[u8], at: usize) -> Result<u64, InputError> {
    Ok(u64::from_be_bytes(
        field(b, at, 8)?
            .try_into()
            .map_err(|_| InputError::FileDamaged)?,
    ))
}

/// Reads big-endian numbers of 0, 1, 2, 4 or 8 bytes, never past the end of a box.
struct Reader<'a> {
    b: &'a [u8],
    at: usize,
    end: usize,
}

impl Reader<'_> {
    fn uint(&mut self, len: usize) -> Result<u64, InputError> {
        if !matches!(len, 0 | 1 | 2 | 4 | 8) || self.at + len > self.end {
            return Err(InputError::FileDamaged);
        }
        let value = self.b[self.at..self.at + len]
            .iter()
            .fold(0u64, |acc, byte| (acc << 8) | u64::from(*byte));
        self.at += len;
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn boxed(kind: &[u8; 4], payload: &[u8]) -> Vec<u8> {
        let mut b = ((payload.len() + 8) as u32).to_be_bytes().to_vec();
        b.extend_from_slice(kind);
        b.extend_from_slice(payload);
        b
    }

    fn full(kind: &[u8; 4], version: u8, payload: &[u8]) -> Vec<u8> {
        boxed(kind, &[&[version, 0, 0, 0][..], payload].concat())
    }

    fn entry(id: u16, kind: &[u8; 4], rest: &[u8]) -> Vec<u8> {
        full(
            b"infe",
            2,
            &[&id.to_be_bytes()[..], &[0, 0], kind, rest].concat(),
        )
    }

    fn reference(kind: &[u8; 4], from: u16, to: u16) -> Vec<u8> {
        boxed(
            kind,
            &[from.to_be_bytes(), 1u16.to_be_bytes(), to.to_be_bytes()].concat(),
        )
    }

    const PICTURE: [u8; 100] = [0xAA; 100];
    const EXIF: &[u8] = b"\0\0\0\0MM\0*Make TellTale Model Phone-7 Rahim";
    const XMP: &[u8] = b"<x:xmpmeta><dc:creator>Rahim Uddin</dc:creator></x:xmpmeta>";
    const HIDDEN: &[u8] = b"a note hidden between items";
    const THUMB: [u8; 20] = [0xBB; 20];

    /// A photo as a phone writes one: a picture turned a quarter, its EXIF, XMP and thumbnail,
    /// a user description property, and bytes nothing points at.
    fn telling(picture_at: Option<u32>) -> Vec<u8> {
        let ftyp = boxed(b"ftyp", b"heic\0\0\0\0mif1heic");
        let build = |mdat_body: u32| {
            let at = |n: usize| mdat_body + n as u32;
            let parts: [(u16, u32, usize); 4] = [
                (1, picture_at.unwrap_or(at(0)), PICTURE.len()),
                (2, at(100), EXIF.len()),
                (3, at(100 + EXIF.len()), XMP.len()),
                (
                    4,
                    at(100 + EXIF.len() + XMP.len() + HIDDEN.len()),
                    THUMB.len(),
                ),
            ];
            let mut iloc = vec![0x44, 0x00];
            iloc.extend_from_slice(&4u16.to_be_bytes());
            for (id, offset, len) in parts {
                iloc.extend_from_slice(&id.to_be_bytes());
                iloc.extend_from_slice(&[0, 0, 0, 1]);
                iloc.extend_from_slice(&offset.to_be_bytes());
                iloc.extend_from_slice(&(len as u32).to_be_bytes());
            }
            let iinf = full(
                b"iinf",
                0,
                &[
                    4u16.to_be_bytes().to_vec(),
                    entry(1, b"hvc1", b"Picture\0"),
                    entry(2, b"Exif", b"\0"),
                    entry(3, b"mime", b"XMP\0application/rdf+xml\0"),
                    entry(4, b"hvc1", b"Thumbnail\0"),
                ]
                .concat(),
            );
            let iref = full(
                b"iref",
                0,
                &[
                    reference(b"cdsc", 2, 1),
                    reference(b"cdsc", 3, 1),
                    reference(b"thmb", 4, 1),
                ]
                .concat(),
            );
            let ispe = full(
                b"ispe",
                0,
                &[40u32.to_be_bytes(), 30u32.to_be_bytes()].concat(),
            );
            let ipco = boxed(
                b"ipco",
                &[
                    boxed(b"hvcC", &[1; 23]),
                    ispe,
                    boxed(b"irot", &[1]),
                    full(b"udes", 0, b"en\0Rahim's shop\0\0\0"),
                ]
                .concat(),
            );
            let ipma = full(
                b"ipma",
                0,
                &[
                    &2u32.to_be_bytes()[..],
                    &1u16.to_be_bytes(),
                    &[4, 0x81, 2, 0x83, 4],
                    &4u16.to_be_bytes(),
                    &[2, 0x81, 2],
                ]
                .concat(),
            );
            let hdlr = full(
                b"hdlr",
                0,
                &[&[0; 4][..], b"pict", &[0; 12], b"\0"].concat(),
            );
            let meta = full(
                b"meta",
                0,
                &[
                    hdlr,
                    full(b"pitm", 0, &1u16.to_be_bytes()),
                    full(b"iloc", 0, &iloc),
                    iinf,
                    iref,
                    boxed(b"iprp", &[ipco, ipma].concat()),
                    boxed(b"xml ", XMP),
                ]
                .concat(),
            );
            let mdat = boxed(b"mdat", &[&PICTURE[..], EXIF, XMP, HIDDEN, &THUMB].concat());
            [ftyp.clone(), meta, mdat].concat()
        };
        let first = build(0);
        let mdat_body =
            (first.len() - (8 + 100 + EXIF.len() + XMP.len() + HIDDEN.len() + 20) + 8) as u32;
        build(mdat_body)
    }

    fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
        haystack.windows(needle.len()).position(|w| w == needle)
    }

    #[test]
    fn metadata_thumbnails_and_hidden_bytes_are_gone_and_the_picture_kept() {
        let file = telling(None);
        assert!(find(&file, b"Rahim").is_some(), "the fixture tells");

        let clean = clean_heif(&file).expect("cleans");

        assert_eq!(clean.bytes.len(), file.len(), "offsets stay valid");
        assert!(
            find(&clean.bytes, &PICTURE).is_some(),
            "the picture is kept"
        );
        for gone in [
            &b"Rahim"[..],
            b"TellTale",
            b"Phone-7",
            b"hidden",
            &THUMB,
            b"rdf+xml",
        ] {
            assert!(find(&clean.bytes, gone).is_none(), "{:?} survived", gone);
        }
        assert_eq!(
            (clean.width, clean.height),
            (Some(30), Some(40)),
            "turned a quarter"
        );
        assert!(
            find(&clean.bytes, b"Exif").is_none(),
            "no item claims to be EXIF"
        );
        assert!(
            find(&clean.bytes, b"thmb").is_none(),
            "no thumbnail reference"
        );
        assert!(find(&clean.bytes, b"udes").is_none(), "no user description");
        assert!(find(&clean.bytes, b"xml ").is_none(), "no XML box");
        // The picture's own entry, references and properties stay.
        for kept in [&b"hvc1"[..], b"Picture", b"ispe", b"irot", b"hvcC", b"pitm"] {
            assert!(find(&clean.bytes, kept).is_some(), "{:?} was lost", kept);
        }
        // Cleaning twice changes nothing more.
        assert_eq!(clean_heif(&clean.bytes).expect("again").bytes, clean.bytes);
    }

    #[test]
    fn a_cut_or_padded_file_is_refused() {
        let file = telling(None);
        assert_eq!(
            clean_heif(&file[..file.len() - 10]).err(),
            Some(InputError::FileDamaged)
        );
        let mut padded = file.clone();
        padded.extend_from_slice(b"PK\x03");
        assert_eq!(clean_heif(&padded).err(), Some(InputError::FilePolyglot));
        let mut appended = file.clone();
        appended.extend_from_slice(&boxed(b"zzzz", b"PK\x03\x04 a zip"));
        let clean = clean_heif(&appended).expect("an extra box is blanked");
        assert!(find(&clean.bytes, b"a zip").is_none());
    }

    #[test]
    fn a_picture_outside_the_media_data_is_refused() {
        assert_eq!(
            clean_heif(&telling(Some(12))).err(),
            Some(InputError::FileDamaged)
        );
    }

    #[test]
    fn what_is_not_a_heif_photo_is_refused() {
        let file = telling(None);
        let mut not_picture = file.clone();
        let at = find(&not_picture, b"pict").expect("handler");
        not_picture[at..at + 4].copy_from_slice(b"vide");
        assert_eq!(
            clean_heif(&not_picture).err(),
            Some(InputError::FileKindRefused)
        );
        let no_meta = boxed(b"ftyp", b"heic\0\0\0\0mif1heic");
        assert_eq!(clean_heif(&no_meta).err(), Some(InputError::FileDamaged));
        assert_eq!(clean_heif(b"").err(), Some(InputError::FileDamaged));
    }
}
