//! Cleaning voice notes that are not ISO base media, as they stream in: MP3 loses its ID3 tags
//! (version 2 at the start, version 1 and APE tags at the end: titles, names, dates, devices),
//! and AMR, which Android voice recorders write and which carries no metadata, is checked to be
//! AMR and passed through.

use super::InputError;

/// Bytes held back from the end of an MP3 until it is known whether they are a tag.
const TAIL: usize = 64 * 1024;

/// A streaming MP3 cleaner.
pub struct Mp3Cleaner {
    /// The ID3v2 header being read, then `None` once the start is settled.
    head: Option<Vec<u8>>,
    /// ID3v2 bytes still to drop.
    skip: usize,
    /// The last bytes seen, which may be a tag at the end.
    tail: Vec<u8>,
    frames: bool,
}

impl Default for Mp3Cleaner {
    fn default() -> Self {
        Mp3Cleaner {
            head: Some(Vec::with_capacity(10)),
            skip: 0,
            tail: Vec::new(),
            frames: false,
        }
    }
}

impl Mp3Cleaner {
    pub fn push(&mut self, mut input: &[u8], out: &mut Vec<u8>) -> Result<(), InputError> {
        if let Some(head) = &mut self.head {
            let take = (10 - head.len()).min(input.len());
            head.extend_from_slice(&input[..take]);
            input = &input[take..];
            if head.len() < 10 {
                return Ok(());
            }
            let head = self.head.take().unwrap_or_default();
            if &head[..3] == b"ID3" {
                // The tag's size is four 7-bit bytes; a footer adds ten more.
                let size = head[6..10]
                    .iter()
                    .fold(0usize, |acc, b| (acc << 7) | usize::from(b & 0x7f));
                let footer = if head[5] & 0x10 != 0 { 10 } else { 0 };
                self.skip = size + footer;
            } else {
                self.keep(&head, out);
            }
        }
        let dropped = self.skip.min(input.len());
        self.skip -= dropped;
        input = &input[dropped..];
        self.keep(input, out);
        Ok(())
    }

    fn keep(&mut self, bytes: &[u8], out: &mut Vec<u8>) {
        self.tail.extend_from_slice(bytes);
        if self.tail.len() > 2 * TAIL {
            let release = self.tail.len() - TAIL;
            self.frames |= self.tail[..release].contains(&0xFF);
            out.extend_from_slice(&self.tail[..release]);
            self.tail.drain(..release);
        }
    }

    /// Drops the tags at the end and gives back the rest; refuses a file with no audio frames.
    pub fn finish(mut self, out: &mut Vec<u8>) -> Result<(), InputError> {
        if self.head.is_some() || self.skip > 0 {
            return Err(InputError::FileDamaged);
        }
        let mut end = self.tail.len();
        loop {
            let tail = &self.tail[..end];
            if tail.len() >= 128 && &tail[tail.len() - 128..tail.len() - 125] == b"TAG" {
                end -= 128;
                if end >= 227 && &self.tail[end - 227..end - 223] == b"TAG+" {
                    end -= 227;
                }
            } else if tail.len() >= 32 && &tail[tail.len() - 32..tail.len() - 24] == b"APETAGEX" {
                let footer = &tail[tail.len() - 32..];
                let size = u32::from_le_bytes([footer[12], footer[13], footer[14], footer[15]]);
                let header = if footer[23] & 0x80 != 0 { 32 } else { 0 };
                let total = size as usize + header;
                if total > end {
                    return Err(InputError::FileDamaged);
                }
                end -= total;
            } else {
                break;
            }
        }
        self.frames |= self.tail[..end]
            .windows(2)
            .any(|w| w[0] == 0xFF && w[1] & 0xE0 == 0xE0);
        if !self.frames {
            return Err(InputError::FileDamaged);
        }
        out.extend_from_slice(&self.tail[..end]);
        Ok(())
    }
}

/// Checks an AMR voice note's header; the rest, audio frames with no metadata, passes through.
pub fn amr_header_ok(head: &[u8]) -> bool {
    head.starts_with(b"#!AMR\n") || head.starts_with(b"#!AMR-WB\n")
}

/// Bytes of an AMR frame (its header byte included) by frame type, narrow band (RFC 4867,
/// section 5.1); `None` for types that are reserved.
const AMR_NB_FRAME: [Option<usize>; 16] = [
    Some(13),
    Some(14),
    Some(16),
    Some(18),
    Some(20),
    Some(21),
    Some(27),
    Some(32),
    Some(6),
    None,
    None,
    None,
    None,
    None,
    None,
    Some(1),
];
/// The same for wide band.
const AMR_WB_FRAME: [Option<usize>; 16] = [
    Some(18),
    Some(24),
    Some(33),
    Some(37),
    Some(41),
    Some(47),
    Some(51),
    Some(59),
    Some(61),
    Some(6),
    None,
    None,
    None,
    None,
    Some(1),
    Some(1),
];

/// Walks an AMR voice note frame by frame as it streams in, so that nothing but the header and
/// well-formed frames passes: data hidden after or between the frames (a file of another kind
/// behind an AMR header) is refused.
pub struct AmrChecker {
    /// The first bytes, until the header is known; then `None`.
    head: Option<Vec<u8>>,
    sizes: &'static [Option<usize>; 16],
    /// Bytes left of the frame being read.
    left: usize,
    frames: usize,
}

impl Default for AmrChecker {
    fn default() -> Self {
        AmrChecker {
            head: Some(Vec::with_capacity(16)),
            sizes: &AMR_NB_FRAME,
            left: 0,
            frames: 0,
        }
    }
}

impl AmrChecker {
    pub fn push(&mut self, input: &[u8], out: &mut Vec<u8>) -> Result<(), InputError> {
        out.extend_from_slice(input);
        let Some(mut head) = self.head.take() else {
            return self.walk(input);
        };
        head.extend_from_slice(input);
        let (len, sizes) = if head.starts_with(b"#!AMR\n") {
            (6, &AMR_NB_FRAME)
        } else if head.starts_with(b"#!AMR-WB\n") {
            (9, &AMR_WB_FRAME)
        } else if head.len() >= 9 || !b"#!AMR-WB\n".starts_with(&head) {
            return Err(InputError::FileDamaged);
        } else {
            // Too few bytes yet to tell narrow from wide band.
            self.head = Some(head);
            return Ok(());
        };
        self.sizes = sizes;
        self.walk(&head[len..])
    }

    fn walk(&mut self, mut input: &[u8]) -> Result<(), InputError> {
        while !input.is_empty() {
            if self.left == 0 {
                let header = input[0];
                // The padding bits of a frame header are zero.
                if header & 0x83 != 0 {
                    return Err(InputError::FilePolyglot);
                }
                self.left = self.sizes[usize::from((header >> 3) & 0x0f)]
                    .ok_or(InputError::FilePolyglot)?;
                self.frames += 1;
            }
            let step = self.left.min(input.len());
            self.left -= step;
            input = &input[step..];
        }
        Ok(())
    }

    /// Refuses a note cut inside a frame or with no frame at all.
    pub fn finish(self) -> Result<(), InputError> {
        if self.head.is_some() || self.left > 0 || self.frames == 0 {
            return Err(InputError::FileDamaged);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id3v2(text: &str) -> Vec<u8> {
        let mut frame = b"TPE1".to_vec();
        frame.extend_from_slice(&((text.len() + 1) as u32).to_be_bytes());
        frame.extend_from_slice(&[0, 0, 0]);
        frame.extend_from_slice(text.as_bytes());
        let size = frame.len();
        let mut tag = b"ID3\x03\x00\x00".to_vec();
        tag.extend_from_slice(&[
            ((size >> 21) & 0x7f) as u8,
            ((size >> 14) & 0x7f) as u8,
            ((size >> 7) & 0x7f) as u8,
            (size & 0x7f) as u8,
        ]);
        tag.extend_from_slice(&frame);
        tag
    }

    #[test]
    fn tags_at_both_ends_are_dropped() {
        let frames: Vec<u8> = (0..200_000)
            .map(|i| if i % 417 == 0 { 0xFF } else { 0xFB })
            .collect();
        let mut v1 = b"TAG".to_vec();
        v1.extend_from_slice(b"Voice note");
        v1.resize(33, 0);
        v1.extend_from_slice(b"Rahim Uddin");
        v1.resize(128, 0);
        let file = [id3v2("Rahim Uddin, Khulna"), frames.clone(), v1].concat();
        for piece in [3, 1000, 70_000] {
            let mut cleaner = Mp3Cleaner::default();
            let mut out = Vec::new();
            for chunk in file.chunks(piece) {
                cleaner.push(chunk, &mut out).expect("push");
            }
            cleaner.finish(&mut out).expect("finish");
            assert_eq!(out, frames, "piece {piece}");
        }
    }

    #[test]
    fn a_tag_alone_is_not_a_voice_note() {
        let mut cleaner = Mp3Cleaner::default();
        let mut out = Vec::new();
        cleaner.push(&id3v2("only a tag"), &mut out).expect("push");
        assert_eq!(cleaner.finish(&mut out), Err(InputError::FileDamaged));
        assert!(amr_header_ok(b"#!AMR\n\x3c\x48"));
        assert!(!amr_header_ok(b"#!ARM\n"));
    }

    fn check_amr(bytes: &[u8], piece: usize) -> Result<Vec<u8>, InputError> {
        let mut checker = AmrChecker::default();
        let mut out = Vec::new();
        for chunk in bytes.chunks(piece) {
            checker.push(chunk, &mut out)?;
        }
        checker.finish()?;
        Ok(out)
    }

    #[test]
    fn amr_frames_are_walked_and_anything_else_refused() {
        // Three 12.2 kbit/s frames (type 7, 32 bytes each) and a "no data" frame.
        let mut note = b"#!AMR\n".to_vec();
        for _ in 0..3 {
            note.push(0x3c);
            note.extend_from_slice(&[0xA5; 31]);
        }
        note.push(0x7c);
        for piece in [1, 2, 5, 7, 64] {
            assert_eq!(
                check_amr(&note, piece).as_ref(),
                Ok(&note),
                "pieces of {piece}"
            );
        }
        let mut wide = b"#!AMR-WB\n".to_vec();
        wide.push(0x44); // type 8: 61 bytes
        wide.extend_from_slice(&[0x11; 60]);
        assert_eq!(check_amr(&wide, 3).as_ref(), Ok(&wide));

        let mut zip = note.clone();
        zip.extend_from_slice(b"PK\x03\x04 a zip hides here");
        assert_eq!(check_amr(&zip, 16), Err(InputError::FilePolyglot));
        assert_eq!(
            check_amr(&note[..note.len() - 5], 16),
            Err(InputError::FileDamaged),
            "cut inside a frame"
        );
        assert_eq!(
            check_amr(b"#!AMR\n", 4),
            Err(InputError::FileDamaged),
            "no frame"
        );
        assert_eq!(check_amr(b"#!AMR-XX\nabc", 4), Err(InputError::FileDamaged));
        assert_eq!(check_amr(b"#!AM", 4), Err(InputError::FileDamaged));
    }
}
