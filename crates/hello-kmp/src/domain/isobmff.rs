//! Cleaning MP4, MOV and M4A (ISO base media) files as they stream in, without decoding them.
//!
//! A file is a sequence of boxes. The media data (`mdat`) passes through untouched. The movie
//! box (`moov`), which holds the tracks' descriptions, is held (it is small) and cleaned: every
//! `udta`, `meta` and `uuid` box in it (user data: location, device, encoder and XMP tags)
//! becomes a `free` box of the same size with its content zeroed, and the creation and
//! modification times of the movie, its tracks and their media are zeroed. Sizes never change,
//! so the offsets into `mdat` stay valid and nothing is re-encoded. Top-level boxes other than
//! the ones a player needs are blanked the same way.
//
// Limitation: the names of encoders inside sample descriptions (`stsd`) are kept; they name a
// codec library, not a device.

use super::InputError;

/// Largest movie box held for cleaning (a phone's is well under 1 MB).
const MAX_MOOV: usize = 8 * 1024 * 1024;
/// Deepest nesting of boxes walked; real files need five or six levels.
const MAX_DEPTH: usize = 12;

/// Top-level boxes passed as they are.
const KEEP_TOP: [&[u8; 4]; 2] = [b"ftyp", b"mdat"];
/// Top-level boxes of fragmented files, refused: their fragments could carry metadata the
/// movie box does not show.
const FRAGMENTED: [&[u8; 4]; 5] = [b"moof", b"mfra", b"styp", b"sidx", b"ssix"];
/// Boxes inside `moov` that hold other boxes, walked into.
const CONTAINERS: [&[u8; 4]; 9] = [
    b"moov", b"trak", b"mdia", b"minf", b"stbl", b"edts", b"dinf", b"mvex", b"tref",
];
/// Boxes inside `moov` a player needs, kept as they are (times zeroed in the headers). Every
/// other box there is blanked: only what is known to carry no metadata passes.
const KEEP_IN_MOOV: [&[u8; 4]; 28] = [
    b"mvhd", b"tkhd", b"mdhd", b"hdlr", b"vmhd", b"smhd", b"nmhd", b"dref", b"stsd", b"stts",
    b"ctts", b"cslg", b"stss", b"stps", b"stsc", b"stsz", b"stz2", b"stco", b"co64", b"sdtp",
    b"sbgp", b"sgpd", b"subs", b"elst", b"mehd", b"trex", b"iods", b"saiz",
];
/// The kinds of track a voice note or video may have. Others (timecode, GPS or sensor data,
/// subtitles) are refused: their samples in the media data can hold the time of day or the
/// camera's position.
const TRACK_KINDS: [&[u8; 4]; 2] = [b"vide", b"soun"];

/// What happens to the bytes of the box being read.
enum Mode {
    /// Waiting for the next box header.
    Header,
    /// Copied out as they come.
    Pass { left: u64 },
    /// Replaced by zeros.
    Blank { left: u64 },
    /// Held until whole (the movie box), then cleaned and copied out.
    Hold { left: u64, held: Vec<u8> },
    /// The last box runs to the end of the file.
    PassToEnd,
}

/// A streaming cleaner: feed it the file's bytes in any pieces, collect what it gives back.
pub struct Cleaner {
    mode: Mode,
    header: Vec<u8>,
    saw_moov: bool,
    saw_ftyp: bool,
}

impl Default for Cleaner {
    fn default() -> Self {
        Cleaner {
            mode: Mode::Header,
            header: Vec::with_capacity(16),
            saw_moov: false,
            saw_ftyp: false,
        }
    }
}

impl Cleaner {
    /// Cleans the next piece of the file, appending the clean bytes to `out`.
    pub fn push(&mut self, mut input: &[u8], out: &mut Vec<u8>) -> Result<(), InputError> {
        while !input.is_empty() {
            match &mut self.mode {
                Mode::Header => {
                    let wanted = self.header_len();
                    let take = (wanted - self.header.len()).min(input.len());
                    self.header.extend_from_slice(&input[..take]);
                    input = &input[take..];
                    if self.header.len() == wanted && self.header_len() == wanted {
                        self.start_box(out)?;
                    }
                }
                Mode::Pass { left } => {
                    let take = (*left).min(input.len() as u64) as usize;
                    out.extend_from_slice(&input[..take]);
                    input = &input[take..];
                    *left -= take as u64;
                    if *left == 0 {
                        self.mode = Mode::Header;
                    }
                }
                Mode::Blank { left } => {
                    let take = (*left).min(input.len() as u64) as usize;
                    out.resize(out.len() + take, 0);
                    input = &input[take..];
                    *left -= take as u64;
                    if *left == 0 {
                        self.mode = Mode::Header;
                    }
                }
                Mode::Hold { left, held } => {
                    let take = (*left).min(input.len() as u64) as usize;
                    held.extend_from_slice(&input[..take]);
                    input = &input[take..];
                    *left -= take as u64;
                    if *left == 0 {
                        let mut moov = std::mem::take(held);
                        let header = if moov[..4] == [0, 0, 0, 1] { 16 } else { 8 };
                        clean_children(&mut moov, header, 0)?;
                        out.extend_from_slice(&moov);
                        self.mode = Mode::Header;
                    }
                }
                Mode::PassToEnd => {
                    out.extend_from_slice(input);
                    input = &[];
                }
            }
        }
        Ok(())
    }

    /// Checks the file ended where its last box ends, with a movie box seen.
    pub fn finish(self) -> Result<(), InputError> {
        let whole = matches!(self.mode, Mode::Header | Mode::PassToEnd) && self.header.is_empty();
        if whole && self.saw_moov && self.saw_ftyp {
            Ok(())
        } else {
            Err(InputError::FileDamaged)
        }
    }

    /// How many header bytes the box being started has: 8, or 16 with a 64-bit size.
    fn header_len(&self) -> usize {
        if self.header.len() >= 4 && self.header[..4] == [0, 0, 0, 1] {
            16
        } else {
            8
        }
    }

    fn start_box(&mut self, out: &mut Vec<u8>) -> Result<(), InputError> {
        let header = std::mem::take(&mut self.header);
        let size32 = u32::from_be_bytes([header[0], header[1], header[2], header[3]]);
        let kind: [u8; 4] = [header[4], header[5], header[6], header[7]];
        let size = match size32 {
            1 => u64::from_be_bytes(
                header[8..16]
                    .try_into()
                    .map_err(|_| InputError::FileDamaged)?,
            ),
            0 => 0,
            n => u64::from(n),
        };
        let header_len = header.len() as u64;
        if size != 0 && size < header_len {
            return Err(InputError::FileDamaged);
        }
        let left = size.saturating_sub(header_len);
        if !self.saw_ftyp {
            if &kind != b"ftyp" {
                return Err(InputError::FileDamaged);
            }
            self.saw_ftyp = true;
        }
        if &kind == b"moov" {
            if self.saw_moov || size == 0 || left as usize > MAX_MOOV {
                return Err(InputError::FileDamaged);
            }
            self.saw_moov = true;
            if left == 0 {
                out.extend_from_slice(&header);
                self.mode = Mode::Header;
                return Ok(());
            }
            let mut held = Vec::with_capacity(size as usize);
            held.extend_from_slice(&header);
            self.mode = Mode::Hold { left, held };
            return Ok(());
        }
        if FRAGMENTED.iter().any(|k| **k == kind) {
            return Err(InputError::FileKindRefused);
        }
        let keep = KEEP_TOP.iter().any(|k| **k == kind);
        if keep {
            out.extend_from_slice(&header);
        } else {
            // Anything else at the top (free space included, which may hide an old movie box)
            // is kept as free space: same size, nothing in it.
            out.extend_from_slice(&header[..4]);
            out.extend_from_slice(b"free");
            out.extend_from_slice(&header[8..]);
        }
        self.mode = match (size, keep) {
            (0, true) if &kind == b"mdat" => Mode::PassToEnd,
            (0, _) => return Err(InputError::FileDamaged),
            (_, true) => Mode::Pass { left },
            (_, false) => Mode::Blank { left },
        };
        if left == 0 && !matches!(self.mode, Mode::PassToEnd) {
            self.mode = Mode::Header;
        }
        Ok(())
    }
}

/// Cleans the boxes inside `data[start..]` (a box whose header ends at `start`), in place.
fn clean_children(data: &mut [u8], start: usize, depth: usize) -> Result<(), InputError> {
    if depth > MAX_DEPTH {
        return Err(InputError::FileDamaged);
    }
    let mut at = start;
    while at < data.len() {
        let head = data.get(at..at + 8).ok_or(InputError::FileDamaged)?;
        let size32 = u32::from_be_bytes([head[0], head[1], head[2], head[3]]) as usize;
        let kind: [u8; 4] = [head[4], head[5], head[6], head[7]];
        let (size, header) = match size32 {
            1 => {
                let large = data.get(at + 8..at + 16).ok_or(InputError::FileDamaged)?;
                let large =
                    u64::from_be_bytes(large.try_into().map_err(|_| InputError::FileDamaged)?);
                (
                    usize::try_from(large).map_err(|_| InputError::FileDamaged)?,
                    16,
                )
            }
            0 => (data.len() - at, 8),
            n => (n, 8),
        };
        let end = at.checked_add(size).ok_or(InputError::FileDamaged)?;
        if size < header || end > data.len() {
            return Err(InputError::FileDamaged);
        }
        let payload = at + header;
        if CONTAINERS.iter().any(|c| **c == kind) {
            clean_children(&mut data[..end], payload, depth + 1)?;
        } else if KEEP_IN_MOOV.iter().any(|k| **k == kind) {
            match &kind {
                b"mvhd" | b"tkhd" | b"mdhd" => zero_times(&mut data[payload..end]),
                b"hdlr" => check_handler(&mut data[payload..end])?,
                _ => {}
            }
        } else {
            // User data, metadata, XMP and anything unknown: free space, zeroed.
            data[at + 4..at + 8].copy_from_slice(b"free");
            data[payload..end].fill(0);
        }
        at = end;
    }
    Ok(())
}

/// A handler box: its track must be video or sound, and its name (often the maker's software)
/// is blanked.
fn check_handler(payload: &mut [u8]) -> Result<(), InputError> {
    let handler = payload.get(8..12).ok_or(InputError::FileDamaged)?;
    // A handler of `mhlr` or `dhlr` (QuickTime's media and data handlers) names its kind
    // at the same place; only data references (`alis`, `url `) are not tracks.
    let is_track = !matches!(handler, b"alis" | b"url ");
    if is_track && !TRACK_KINDS.iter().any(|k| **k == *handler) {
        return Err(InputError::FileKindRefused);
    }
    if let Some(name) = payload.get_mut(24..) {
        name.fill(0);
    }
    Ok(())
}

/// Zeroes the creation and modification times of a movie, track or media header.
fn zero_times(payload: &mut [u8]) {
    let span = match payload.first() {
        Some(0) => 4..12,
        Some(1) => 4..20,
        _ => return,
    };
    if let Some(times) = payload.get_mut(span) {
        times.fill(0);
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

    /// A small movie: ftyp, a moov with a dated header, a track with user data, top-level
    /// metadata, and the media data.
    fn movie() -> Vec<u8> {
        let mut mvhd = vec![0u8; 100];
        mvhd[4..8].copy_from_slice(&0xDEAD_BEEFu32.to_be_bytes());
        let udta = boxed(b"udta", &boxed(b"\xa9xyz", b"+22.8201+089.5512/"));
        let trak = boxed(
            b"trak",
            &[boxed(b"tkhd", &[0u8; 84]), udta.clone()].concat(),
        );
        let moov = boxed(b"moov", &[boxed(b"mvhd", &mvhd), trak, udta].concat());
        [
            boxed(b"ftyp", b"isom\0\0\x02\0isomiso2mp41"),
            boxed(b"meta", b"\0\0\0\0Make: TellTale"),
            moov,
            boxed(b"mdat", &[7u8; 3000]),
        ]
        .concat()
    }

    fn clean_in_pieces(file: &[u8], piece: usize) -> Result<Vec<u8>, InputError> {
        let mut cleaner = Cleaner::default();
        let mut out = Vec::new();
        for chunk in file.chunks(piece) {
            cleaner.push(chunk, &mut out)?;
        }
        cleaner.finish()?;
        Ok(out)
    }

    #[test]
    fn location_device_and_dates_are_gone_and_the_sizes_stay() {
        let file = movie();
        for piece in [1, 7, 64, 4096] {
            let clean = clean_in_pieces(&file, piece).expect("clean");
            assert_eq!(clean.len(), file.len(), "same size, offsets valid");
            let text = String::from_utf8_lossy(&clean);
            assert!(!text.contains("+22.8201"), "location gone");
            assert!(!text.contains("TellTale"), "device gone");
            assert!(
                !clean.windows(4).any(|w| w == 0xDEAD_BEEFu32.to_be_bytes()),
                "date gone"
            );
            assert!(!clean.windows(4).any(|w| w == b"udta" || w == b"meta"));
            assert!(clean.ends_with(&[7u8; 3000]), "media untouched");
        }
    }

    #[test]
    fn deep_nesting_and_foreign_tracks_are_refused_and_free_space_is_blanked() {
        let mut nested = boxed(b"trak", &[]);
        for _ in 0..10_000 {
            nested = boxed(b"trak", &nested);
        }
        let deep = [
            boxed(b"ftyp", b"isom\0\0\x02\0isomiso2mp41"),
            boxed(b"moov", &nested),
        ]
        .concat();
        assert_eq!(
            clean_in_pieces(&deep, 4096).err(),
            Some(InputError::FileDamaged)
        );
        let gps_track = boxed(
            b"trak",
            &boxed(
                b"mdia",
                &boxed(b"hdlr", &[&[0u8; 8][..], b"camm", &[0u8; 12]].concat()),
            ),
        );
        let foreign = [
            boxed(b"ftyp", b"isom\0\0\x02\0isomiso2mp41"),
            boxed(b"moov", &gps_track),
            boxed(b"mdat", &[1u8; 10]),
        ]
        .concat();
        assert_eq!(
            clean_in_pieces(&foreign, 4096).err(),
            Some(InputError::FileKindRefused)
        );
        let hidden = [
            boxed(b"ftyp", b"isom\0\0\x02\0isomiso2mp41"),
            boxed(b"free", b"an old movie box: +22.8201+089.5512/"),
            boxed(b"moov", &boxed(b"gps ", b"+22.8201+089.5512/")),
            boxed(b"mdat", &[1u8; 10]),
        ]
        .concat();
        let clean = clean_in_pieces(&hidden, 7).expect("clean");
        assert!(!String::from_utf8_lossy(&clean).contains("22.8201"));
        assert_eq!(clean.len(), hidden.len());
        let fragmented = [
            boxed(b"ftyp", b"isom\0\0\x02\0isomiso2mp41"),
            boxed(b"moov", &boxed(b"mvhd", &[0u8; 100])),
            boxed(b"moof", &[0u8; 16]),
        ]
        .concat();
        assert_eq!(
            clean_in_pieces(&fragmented, 4096).err(),
            Some(InputError::FileKindRefused)
        );
    }

    #[test]
    fn cut_or_malformed_files_are_refused() {
        let file = movie();
        assert_eq!(
            clean_in_pieces(&file[..file.len() - 1], 512).err(),
            Some(InputError::FileDamaged)
        );
        assert_eq!(
            clean_in_pieces(&file[..200], 512).err(),
            Some(InputError::FileDamaged)
        );
        let no_ftyp = file[28..].to_vec();
        assert!(clean_in_pieces(&no_ftyp, 512).is_err());
        let mut bad_size = file.clone();
        bad_size[28..32].copy_from_slice(&3u32.to_be_bytes());
        assert!(clean_in_pieces(&bad_size, 512).is_err());
    }
}
