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
}
