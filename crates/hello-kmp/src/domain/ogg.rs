//! Cleaning Ogg/Opus voice notes (WhatsApp, many Android recorders) as they stream in. The
//! comment header, which holds titles, names, dates, places, the encoder and the device, is
//! replaced by an empty one; the identification header loses any bytes after its defined
//! fields; audio pages pass through unchanged but for their sequence number and checksum.
//!
//! The layout follows RFC 3533 (Ogg pages) and RFC 7845 (Opus in Ogg).

use super::InputError;

/// Bytes before a page's lacing values.
const HEADER_LEN: usize = 27;

/// The packet continues one that began on an earlier page.
const FLAG_CONTINUED: u8 = 0x01;
/// The first page of a logical bitstream.
const FLAG_FIRST: u8 = 0x02;
/// The last page of a logical bitstream.
const FLAG_LAST: u8 = 0x04;

/// The comment header written in place of the sender's: the magic, a vendor string of length
/// zero and no comments. An empty vendor says nothing about the encoder nor about this platform,
/// and decoders accept it.
const EMPTY_TAGS: [u8; 16] = *b"OpusTags\0\0\0\0\0\0\0\0";

/// The lookup table of the Ogg CRC-32 (polynomial 0x04c11db7, not reflected), one entry a byte.
const CRC_TABLE: [u32; 256] = crc_table();

/// Where in the stream the cleaner is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// Waiting for the first page, which must hold the identification header alone.
    Head,
    /// Inside the comment header, which is dropped.
    Tags,
    /// Passing audio pages through.
    Audio,
    /// The last page has been read; nothing may follow.
    Ended,
}

/// A streaming Ogg/Opus cleaner. It holds at most two pages (about 64 KiB each): the one being
/// read and the last audio page, kept back so the end-of-stream flag can be set on it.
pub struct OggOpusCleaner {
    stage: Stage,
    /// The page being read.
    page: Vec<u8>,
    serial: u32,
    /// The sequence number the next input page must carry.
    next_sequence: u32,
    /// The sequence number the next output page gets.
    written: u32,
    /// The last page read ended inside a packet.
    open_packet: bool,
    /// The first bytes of the comment header, to check its magic.
    tags_start: Vec<u8>,
    /// The last audio page, written once the next one arrives or at the end.
    held: Option<Vec<u8>>,
    /// At least one audio packet was complete.
    audio: bool,
}

impl Default for OggOpusCleaner {
    fn default() -> Self {
        OggOpusCleaner {
            stage: Stage::Head,
            page: Vec::with_capacity(HEADER_LEN),
            serial: 0,
            next_sequence: 0,
            written: 0,
            open_packet: false,
            tags_start: Vec::with_capacity(8),
            held: None,
            audio: false,
        }
    }
}

impl OggOpusCleaner {
    pub fn push(&mut self, mut input: &[u8], out: &mut Vec<u8>) -> Result<(), InputError> {
        while !input.is_empty() {
            let take = (wanted(&self.page) - self.page.len()).min(input.len());
            self.page.extend_from_slice(&input[..take]);
            input = &input[take..];

            if self.page.len() == HEADER_LEN {
                self.check_header()?;
            }
            if self.page.len() == wanted(&self.page) {
                let page = std::mem::take(&mut self.page);
                self.on_page(page, out)?;
            }
        }
        Ok(())
    }

    /// Writes the last page, marked as the end of the stream; refuses a stream cut short or
    /// without audio, and bytes after the last page.
    pub fn finish(mut self, out: &mut Vec<u8>) -> Result<(), InputError> {
        if !self.page.is_empty() {
            return Err(match self.stage {
                Stage::Ended => InputError::FilePolyglot,
                _ => InputError::FileDamaged,
            });
        }
        if self.open_packet || !self.audio {
            return Err(InputError::FileDamaged);
        }
        let mut last = self.held.take().ok_or(InputError::FileDamaged)?;

        // Players accept a stream without the flag, but a stored file should be well formed.
        last[5] |= FLAG_LAST;
        self.write(last, out);
        Ok(())
    }

    /// Refuses a page early, from its fixed header, before reading up to 64 KiB of it.
    fn check_header(&self) -> Result<(), InputError> {
        let capture = self.page.starts_with(b"OggS");
        if self.stage == Stage::Ended {
            return Err(if !capture {
                InputError::FilePolyglot
            } else if self.page[5] & FLAG_FIRST != 0 {
                // A chained stream: another recording, or another kind, after this one.
                InputError::FileKindRefused
            } else {
                InputError::FileDamaged
            });
        }
        if !capture || self.page[4] != 0 {
            return Err(InputError::FileDamaged);
        }
        Ok(())
    }

    fn on_page(&mut self, page: Vec<u8>, out: &mut Vec<u8>) -> Result<(), InputError> {
        if stored_crc(&page) != page_crc(&page) {
            return Err(InputError::FileDamaged);
        }
        if page[5] & FLAG_FIRST != 0 && self.stage != Stage::Head {
            // Another logical bitstream: a multiplexed file, such as audio with a video track.
            return Err(InputError::FileKindRefused);
        }

        match self.stage {
            Stage::Head => self.on_head(&page, out),
            Stage::Tags => {
                self.check_order(&page)?;
                self.on_tags(&page, out)
            }
            Stage::Audio => {
                self.check_order(&page)?;
                self.on_audio(page, out);
                Ok(())
            }
            Stage::Ended => Err(InputError::FileDamaged),
        }
    }

    /// The first page: the identification header, alone and complete.
    fn on_head(&mut self, page: &[u8], out: &mut Vec<u8>) -> Result<(), InputError> {
        let head = body(page);
        if !head.starts_with(b"OpusHead") {
            return Err(InputError::FileKindRefused);
        }
        let head_len = opus_head_len(head).ok_or(InputError::FileKindRefused)?;
        let alone = laces(page)
            .split_last()
            .is_some_and(|(last, rest)| *last < 255 && rest.iter().all(|&lace| lace == 255));
        if page[5] != FLAG_FIRST || !alone {
            return Err(InputError::FileDamaged);
        }

        // Limitation: the serial number, like the audio bytes, stays as on the sender's phone, so
        // the stored note can be matched to the copy there; only re-encoding would break that.
        self.serial = read_u32(page, 14);
        self.next_sequence = read_u32(page, 18).wrapping_add(1);
        self.stage = Stage::Tags;
        // Limitation: the input sample rate of the recording stays in the identification header;
        // it tells little (phones record at 16 or 48 kHz) but is a trait of the recorder.
        let head = &head[..head_len];
        let page = new_page(self.serial, FLAG_FIRST, [0; 8], &lacing(head.len()), head);
        self.write(page, out);
        Ok(())
    }

    /// Refuses a page of another stream, a gap in the sequence, or a continuation flag that
    /// does not match the end of the page before.
    fn check_order(&mut self, page: &[u8]) -> Result<(), InputError> {
        let continued = page[5] & FLAG_CONTINUED != 0;
        if read_u32(page, 14) != self.serial
            || read_u32(page, 18) != self.next_sequence
            || continued != self.open_packet
        {
            return Err(InputError::FileDamaged);
        }
        self.next_sequence = self.next_sequence.wrapping_add(1);
        Ok(())
    }

    /// A page of the comment header, which is dropped. When it ends, the empty header is written
    /// on a page of its own, and any audio packets that shared its last page follow on another.
    fn on_tags(&mut self, page: &[u8], out: &mut Vec<u8>) -> Result<(), InputError> {
        let laces = laces(page);
        let body = body(page);
        let end = laces.iter().position(|&lace| lace < 255);
        let tags_laces = end.map_or(laces.len(), |end| end + 1);
        let tags_len: usize = laces[..tags_laces].iter().map(|&l| usize::from(l)).sum();
        self.note_tags_start(&body[..tags_len])?;

        let Some(end) = end else {
            self.open_packet |= !laces.is_empty();
            return match page[5] & FLAG_LAST {
                0 => Ok(()),
                _ => Err(InputError::FileDamaged),
            };
        };
        if self.tags_start != b"OpusTags" {
            return Err(InputError::FileDamaged);
        }
        self.open_packet = false;
        self.stage = Stage::Audio;
        let tags = new_page(
            self.serial,
            0,
            [0; 8],
            &lacing(EMPTY_TAGS.len()),
            &EMPTY_TAGS,
        );
        self.write(tags, out);

        let rest = &laces[end + 1..];
        if rest.is_empty() {
            return match page[5] & FLAG_LAST {
                0 => Ok(()),
                _ => Err(InputError::FileDamaged),
            };
        }
        let granule = page[6..14]
            .try_into()
            .expect("the fixed header is 27 bytes");
        let flags = page[5] & FLAG_LAST;
        let audio = new_page(self.serial, flags, granule, rest, &body[tags_len..]);
        self.on_audio(audio, out);
        Ok(())
    }

    /// Keeps the first eight bytes of the comment header and refuses it as soon as they are
    /// not its magic.
    fn note_tags_start(&mut self, bytes: &[u8]) -> Result<(), InputError> {
        let take = (8 - self.tags_start.len()).min(bytes.len());
        self.tags_start.extend_from_slice(&bytes[..take]);
        if self.tags_start.len() == 8 && self.tags_start != b"OpusTags" {
            return Err(InputError::FileDamaged);
        }
        Ok(())
    }

    /// An audio page: held back until the next one shows it is not the last.
    fn on_audio(&mut self, page: Vec<u8>, out: &mut Vec<u8>) {
        let laces = laces(&page);
        self.audio |= laces.iter().any(|&lace| lace < 255);
        if let Some(&last) = laces.last() {
            self.open_packet = last == 255;
        }
        if page[5] & FLAG_LAST != 0 {
            self.stage = Stage::Ended;
        }

        if let Some(held) = self.held.replace(page) {
            self.write(held, out);
        }
    }

    /// Numbers a page, seals it with its checksum and writes it.
    fn write(&mut self, mut page: Vec<u8>, out: &mut Vec<u8>) {
        page[18..22].copy_from_slice(&self.written.to_le_bytes());
        let crc = page_crc(&page);
        page[22..26].copy_from_slice(&crc.to_le_bytes());
        self.written = self.written.wrapping_add(1);
        out.extend_from_slice(&page);
    }
}

/// The length of a page read so far: its fixed header, then its lacing values, then its body.
fn wanted(page: &[u8]) -> usize {
    if page.len() < HEADER_LEN {
        return HEADER_LEN;
    }
    let table_end = HEADER_LEN + usize::from(page[26]);
    if page.len() < table_end {
        return table_end;
    }
    table_end
        + page[HEADER_LEN..table_end]
            .iter()
            .map(|&l| usize::from(l))
            .sum::<usize>()
}

fn laces(page: &[u8]) -> &[u8] {
    &page[HEADER_LEN..HEADER_LEN + usize::from(page[26])]
}

fn body(page: &[u8]) -> &[u8] {
    &page[HEADER_LEN + usize::from(page[26])..]
}

fn read_u32(page: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(
        page[at..at + 4]
            .try_into()
            .expect("the fixed header is 27 bytes"),
    )
}

fn stored_crc(page: &[u8]) -> u32 {
    read_u32(page, 22)
}

/// The lacing values of one packet alone on a page: 255 for each full segment, then the rest,
/// which is 0 when the length is a multiple of 255.
fn lacing(len: usize) -> Vec<u8> {
    let mut laces = vec![255; len / 255];
    laces.push(u8::try_from(len % 255).expect("a remainder of 255 is below 255"));
    laces
}

/// A page with sequence number and checksum still zero; `write` fills them in.
fn new_page(serial: u32, flags: u8, granule: [u8; 8], laces: &[u8], body: &[u8]) -> Vec<u8> {
    let mut page = Vec::with_capacity(HEADER_LEN + laces.len() + body.len());
    page.extend_from_slice(b"OggS\0");
    page.push(flags);
    page.extend_from_slice(&granule);
    page.extend_from_slice(&serial.to_le_bytes());
    page.extend_from_slice(&[0; 8]);
    page.push(u8::try_from(laces.len()).expect("a page has at most 255 lacing values"));
    page.extend_from_slice(laces);
    page.extend_from_slice(body);
    page
}

/// The length of the defined fields of an Opus identification header, or `None` when it is not
/// one this cleaner can vouch for: a version of another major revision, no channels, or a
/// channel mapping that does not fit the channel count.
fn opus_head_len(head: &[u8]) -> Option<usize> {
    if head.len() < 19 || !head.starts_with(b"OpusHead") || head[8] > 15 {
        return None;
    }
    let channels = usize::from(head[9]);
    match head[18] {
        _ if channels == 0 => None,
        0 => (channels <= 2).then_some(19),
        1 if channels > 8 => None,
        _ => {
            let len = 21 + channels;
            let streams = usize::from(*head.get(19)?);
            let coupled = usize::from(*head.get(20)?);
            let mapping = head.get(21..len)?;
            let decoded = streams + coupled;
            let fits = streams > 0 && coupled <= streams && decoded <= 255;
            let mapped = mapping
                .iter()
                .all(|&m| usize::from(m) < decoded || m == 255);
            (fits && mapped).then_some(len)
        }
    }
}

/// The Ogg checksum of a page, computed as if its checksum field were zero.
fn page_crc(page: &[u8]) -> u32 {
    page[..22]
        .iter()
        .chain(&[0; 4])
        .chain(&page[26..])
        .fold(0, |crc, &byte| crc_step(crc, byte))
}

fn crc_step(crc: u32, byte: u8) -> u32 {
    let index = usize::from((crc >> 24) as u8 ^ byte);
    (crc << 8) ^ CRC_TABLE[index]
}

const fn crc_table() -> [u32; 256] {
    let mut table = [0; 256];
    let mut index = 0;
    while index < 256 {
        let mut value = (index as u32) << 24;
        let mut bit = 0;
        while bit < 8 {
            value = if value & 0x8000_0000 != 0 {
                (value << 1) ^ 0x04c1_1db7
            } else {
                value << 1
            };
            bit += 1;
        }
        table[index] = value;
        index += 1;
    }
    table
}

#[cfg(test)]
mod tests {
    use super::*;

    const SERIAL: u32 = 0x1234_5678;

    /// The checksum bit by bit, to check the table against.
    fn slow_crc(bytes: &[u8]) -> u32 {
        let mut crc = 0u32;
        for &byte in bytes {
            crc ^= u32::from(byte) << 24;
            for _ in 0..8 {
                crc = if crc & 0x8000_0000 != 0 {
                    (crc << 1) ^ 0x04c1_1db7
                } else {
                    crc << 1
                };
            }
        }
        crc
    }

    /// Builds an Ogg stream page by page, as a muxer on a phone would.
    struct Muxer {
        serial: u32,
        sequence: u32,
        file: Vec<u8>,
    }

    impl Muxer {
        fn new() -> Self {
            Muxer {
                serial: SERIAL,
                sequence: 0,
                file: Vec::new(),
            }
        }

        fn page(&mut self, flags: u8, granule: u64, laces: &[u8], body: &[u8]) {
            let mut page = b"OggS\0".to_vec();
            page.push(flags);
            page.extend_from_slice(&granule.to_le_bytes());
            page.extend_from_slice(&self.serial.to_le_bytes());
            page.extend_from_slice(&self.sequence.to_le_bytes());
            page.extend_from_slice(&[0; 4]);
            page.push(laces.len() as u8);
            page.extend_from_slice(laces);
            page.extend_from_slice(body);
            let crc = slow_crc(&page);
            page[22..26].copy_from_slice(&crc.to_le_bytes());
            self.file.extend_from_slice(&page);
            self.sequence += 1;
        }

        /// One header packet over as many pages as `per_page` lacing values a page allow.
        fn header(&mut self, flags: u8, packet: &[u8], per_page: usize) {
            let mut start = 0;
            for (i, chunk) in lacing(packet.len()).chunks(per_page).enumerate() {
                let len: usize = chunk.iter().map(|&l| usize::from(l)).sum();
                let continued = if i > 0 { FLAG_CONTINUED } else { 0 };
                self.page(flags | continued, 0, chunk, &packet[start..start + len]);
                start += len;
            }
        }

        /// Complete audio packets on one page.
        fn audio(&mut self, flags: u8, granule: u64, packets: &[Vec<u8>]) {
            let laces: Vec<u8> = packets.iter().flat_map(|p| lacing(p.len())).collect();
            self.page(flags, granule, &laces, &packets.concat());
        }
    }

    fn opus_head() -> Vec<u8> {
        let mut head = b"OpusHead\x01\x01".to_vec();
        head.extend_from_slice(&312u16.to_le_bytes());
        head.extend_from_slice(&16_000u32.to_le_bytes());
        head.extend_from_slice(&[0, 0, 0]);
        head
    }

    /// A comment header naming the sender, the place, the device and the day.
    fn opus_tags(padding: usize) -> Vec<u8> {
        let vendor = "libopus 1.3, Samsung recorder";
        let comments = [
            "ARTIST=Rahim",
            "LOCATION=22.8456,89.5403",
            "ENCODER=Samsung recorder",
            "DATE=2024-03-05",
        ];
        let mut tags = b"OpusTags".to_vec();
        tags.extend_from_slice(&(vendor.len() as u32).to_le_bytes());
        tags.extend_from_slice(vendor.as_bytes());
        tags.extend_from_slice(&(comments.len() as u32).to_le_bytes());
        for comment in comments {
            tags.extend_from_slice(&(comment.len() as u32).to_le_bytes());
            tags.extend_from_slice(comment.as_bytes());
        }
        tags.resize(tags.len() + padding, 0);
        tags
    }

    const SECRETS: [&str; 7] = [
        "Rahim", "22.8456", "89.5403", "Samsung", "libopus", "DATE", "2024",
    ];

    /// Audio packets of awkward sizes: empty, exactly 255 bytes, over several lacing values.
    fn audio_packets() -> Vec<Vec<u8>> {
        [40, 255, 600, 1, 0, 254, 510, 77]
            .iter()
            .enumerate()
            .map(|(i, &len)| (0..len).map(|j| (i * 31 + j) as u8).collect())
            .collect()
    }

    /// Writes the three audio pages of `audio_packets`, the last one flagged `last_flag`.
    fn audio_pages(muxer: &mut Muxer, last_flag: u8) {
        let packets = audio_packets();
        muxer.audio(0, 960, &packets[..3]);
        muxer.audio(0, 1920, &packets[3..6]);
        muxer.audio(last_flag, 2880, &packets[6..]);
    }

    /// A voice note whose comment header spans pages of `per_page` lacing values, with the
    /// byte offset where its audio pages begin.
    fn voice_note(tags: &[u8], per_page: usize) -> (Vec<u8>, usize) {
        let mut muxer = Muxer::new();
        muxer.header(FLAG_FIRST, &opus_head(), 255);
        muxer.header(0, tags, per_page);
        let headers = muxer.file.len();
        audio_pages(&mut muxer, FLAG_LAST);
        (muxer.file, headers)
    }

    fn clean(file: &[u8], piece: usize) -> Result<Vec<u8>, InputError> {
        let mut cleaner = OggOpusCleaner::default();
        let mut out = Vec::new();
        for chunk in file.chunks(piece) {
            cleaner.push(chunk, &mut out)?;
        }
        cleaner.finish(&mut out)?;
        Ok(out)
    }

    fn split_pages(mut file: &[u8]) -> Vec<&[u8]> {
        let mut pages = Vec::new();
        while !file.is_empty() {
            let table = wanted(&file[..HEADER_LEN]);
            let (page, rest) = file.split_at(wanted(&file[..table]));
            pages.push(page);
            file = rest;
        }
        pages
    }

    /// Splits a file into pages, checking each checksum and that sequence numbers count from 0.
    fn checked_pages(file: &[u8]) -> Vec<&[u8]> {
        let pages = split_pages(file);
        for (i, page) in pages.iter().enumerate() {
            let mut zeroed = page.to_vec();
            zeroed[22..26].fill(0);
            assert_eq!(stored_crc(page), slow_crc(&zeroed), "checksum of page {i}");
            assert_eq!(read_u32(page, 18), i as u32, "sequence number of page {i}");
            assert_eq!(read_u32(page, 14), SERIAL);
        }
        pages
    }

    fn packets(pages: &[&[u8]]) -> Vec<Vec<u8>> {
        let mut packets = Vec::new();
        let mut packet = Vec::new();
        for page in pages {
            let mut at = 0;
            for &lace in laces(page) {
                packet.extend_from_slice(&body(page)[at..at + usize::from(lace)]);
                at += usize::from(lace);
                if lace < 255 {
                    packets.push(std::mem::take(&mut packet));
                }
            }
        }
        packets
    }

    /// Pages with their sequence numbers and checksums zeroed, to compare the rest.
    fn unnumbered(pages: &[&[u8]]) -> Vec<Vec<u8>> {
        pages
            .iter()
            .map(|page| {
                let mut page = page.to_vec();
                page[18..26].fill(0);
                page
            })
            .collect()
    }

    fn assert_clean(out: &[u8]) {
        for secret in SECRETS {
            let found = out.windows(secret.len()).any(|w| w == secret.as_bytes());
            assert!(!found, "{secret} is left in the output");
        }
        let pages = checked_pages(out);
        let expected = [vec![opus_head(), EMPTY_TAGS.to_vec()], audio_packets()].concat();
        assert_eq!(packets(&pages), expected);
        assert_eq!(pages[0][5], FLAG_FIRST);
        assert_eq!((pages[1][5], &pages[1][6..14]), (0, &[0; 8][..]));
        assert_eq!(laces(pages[1]), [16]);
        assert_ne!(pages[pages.len() - 1][5] & FLAG_LAST, 0);
    }

    #[test]
    fn crc_matches_the_ogg_check_value() {
        let check = b"123456789".iter().fold(0, |crc, &b| crc_step(crc, b));
        assert_eq!(check, 0x89a1_897f);
        assert_eq!(check, slow_crc(b"123456789"));
    }

    #[test]
    fn comments_over_two_pages_are_replaced_and_audio_pages_kept() {
        let (file, headers) = voice_note(&opus_tags(70_000), 255);
        assert_eq!(checked_pages(&file).len(), 1 + 2 + 3);

        let out = clean(&file, file.len()).expect("clean");

        assert_clean(&out);
        let pages = checked_pages(&out);
        assert_eq!(pages.len(), 1 + 1 + 3);
        let audio_in = split_pages(&file[headers..]);
        assert_eq!(unnumbered(&pages[2..]), unnumbered(&audio_in));
    }

    #[test]
    fn any_chunking_gives_the_same_output() {
        let (file, _) = voice_note(&opus_tags(3_000), 4);
        let whole = clean(&file, file.len()).expect("clean whole");
        assert_clean(&whole);
        for piece in [1, 7, 27, 28, 4096] {
            assert_eq!(clean(&file, piece).expect("clean"), whole, "piece {piece}");
        }
    }

    #[test]
    fn a_comment_ending_on_a_lone_zero_lace_is_replaced() {
        let mut tags = opus_tags(0);
        tags.resize(255 * 3, b'x');
        let (file, _) = voice_note(&tags, 3);
        let pages = split_pages(&file);
        assert_eq!((laces(pages[2]), pages[2][5]), (&[0][..], FLAG_CONTINUED));

        assert_clean(&clean(&file, 5).expect("clean"));
    }

    #[test]
    fn audio_sharing_the_last_comment_page_gets_a_page_of_its_own() {
        let tags = opus_tags(10);
        let packets = audio_packets();
        let mut muxer = Muxer::new();
        muxer.header(FLAG_FIRST, &opus_head(), 255);
        let mut laces = lacing(tags.len());
        laces.extend(packets[..3].iter().flat_map(|p| lacing(p.len())));
        muxer.page(0, 960, &laces, &[tags, packets[..3].concat()].concat());
        muxer.audio(0, 1920, &packets[3..6]);
        muxer.audio(FLAG_LAST, 2880, &packets[6..]);

        let out = clean(&muxer.file, 100).expect("clean");

        assert_clean(&out);
        let pages = checked_pages(&out);
        assert_eq!(pages.len(), 5);
        assert_eq!(
            read_u32(pages[2], 6),
            960,
            "the granule position stays with the audio"
        );
    }

    #[test]
    fn a_missing_end_flag_is_added() {
        let mut muxer = Muxer::new();
        muxer.header(FLAG_FIRST, &opus_head(), 255);
        muxer.header(0, &opus_tags(0), 255);
        audio_pages(&mut muxer, 0);

        assert_clean(&clean(&muxer.file, 64).expect("clean"));
    }

    #[test]
    fn extra_bytes_after_the_identification_header_are_dropped() {
        let mut head = opus_head();
        head.extend_from_slice(b"Rahim");
        let mut muxer = Muxer::new();
        muxer.header(FLAG_FIRST, &head, 255);
        muxer.header(0, &opus_tags(0), 255);
        audio_pages(&mut muxer, FLAG_LAST);

        assert_clean(&clean(&muxer.file, 64).expect("clean"));
    }

    #[test]
    fn identification_headers_are_checked() {
        let head = opus_head();
        assert_eq!(opus_head_len(&head), Some(19));
        let mut surround = head.clone();
        surround[9] = 6;
        surround[18] = 1;
        assert_eq!(
            opus_head_len(&surround),
            None,
            "family 1 needs a mapping table"
        );
        surround.extend_from_slice(&[4, 2, 0, 4, 1, 2, 3, 5]);
        assert_eq!(opus_head_len(&surround), Some(27));
        for (at, value) in [(8, 16), (9, 0), (9, 3), (18, 1)] {
            let mut bad = head.clone();
            bad[at] = value;
            assert_eq!(opus_head_len(&bad), None, "byte {at} = {value}");
        }
        assert_eq!(opus_head_len(&head[..18]), None);
    }

    #[test]
    fn vorbis_is_refused() {
        let mut muxer = Muxer::new();
        let mut vorbis = b"\x01vorbis\0\0\0\0\x01".to_vec();
        vorbis.resize(30, 0);
        muxer.header(FLAG_FIRST, &vorbis, 255);
        muxer.header(0, b"\x03vorbis\0\0\0\0\0\0\0\0\x01", 255);

        assert_eq!(clean(&muxer.file, 9), Err(InputError::FileKindRefused));
    }

    #[test]
    fn a_second_logical_stream_is_refused() {
        let mut muxer = Muxer::new();
        muxer.header(FLAG_FIRST, &opus_head(), 255);
        muxer.serial = 99;
        muxer.header(FLAG_FIRST, &opus_head(), 255);
        assert_eq!(clean(&muxer.file, 9), Err(InputError::FileKindRefused));

        let (mut chained, _) = voice_note(&opus_tags(0), 255);
        chained.extend_from_slice(&chained.clone());
        assert_eq!(clean(&chained, 9), Err(InputError::FileKindRefused));
    }

    #[test]
    fn a_bad_checksum_is_refused() {
        let (mut file, headers) = voice_note(&opus_tags(0), 255);
        file[headers + 40] ^= 1;

        assert_eq!(clean(&file, 9), Err(InputError::FileDamaged));
    }

    #[test]
    fn a_stream_cut_short_is_refused() {
        let (file, headers) = voice_note(&opus_tags(0), 255);
        for end in [0, 3, 30, headers, file.len() - 1] {
            assert_eq!(
                clean(&file[..end], 9),
                Err(InputError::FileDamaged),
                "end {end}"
            );
        }

        let mut muxer = Muxer::new();
        muxer.header(FLAG_FIRST, &opus_head(), 255);
        muxer.header(0, &opus_tags(0), 255);
        muxer.page(0, 960, &[255, 255], &[7; 510]);
        assert_eq!(
            clean(&muxer.file, 9),
            Err(InputError::FileDamaged),
            "open packet"
        );
    }

    #[test]
    fn pages_out_of_order_are_refused() {
        let mut muxer = Muxer::new();
        muxer.header(FLAG_FIRST, &opus_head(), 255);
        muxer.header(0, &opus_tags(0), 255);
        muxer.sequence += 1;
        audio_pages(&mut muxer, FLAG_LAST);
        assert_eq!(clean(&muxer.file, 9), Err(InputError::FileDamaged), "gap");

        let mut muxer = Muxer::new();
        muxer.header(FLAG_FIRST, &opus_head(), 255);
        muxer.header(0, &opus_tags(0), 255);
        muxer.serial = 99;
        audio_pages(&mut muxer, FLAG_LAST);
        assert_eq!(
            clean(&muxer.file, 9),
            Err(InputError::FileDamaged),
            "serial"
        );
    }

    #[test]
    fn malformed_pages_and_headers_are_refused() {
        let (file, _) = voice_note(&opus_tags(0), 255);
        let mut capture = file.clone();
        capture[0] = b'o';
        let mut version = file.clone();
        version[4] = 1;
        let mut muxer = Muxer::new();
        muxer.header(FLAG_FIRST, &opus_head(), 255);
        muxer.header(0, b"OpusTogs\0\0\0\0\0\0\0\0", 255);
        audio_pages(&mut muxer, FLAG_LAST);
        for bad in [capture, version, muxer.file] {
            assert_eq!(clean(&bad, 9), Err(InputError::FileDamaged));
        }
    }

    #[test]
    fn headers_without_audio_are_refused() {
        let mut muxer = Muxer::new();
        muxer.header(FLAG_FIRST, &opus_head(), 255);
        muxer.header(FLAG_LAST, &opus_tags(0), 255);
        assert_eq!(clean(&muxer.file, 9), Err(InputError::FileDamaged));

        let mut muxer = Muxer::new();
        muxer.header(FLAG_FIRST, &opus_head(), 255);
        muxer.header(0, &opus_tags(0), 255);
        assert_eq!(clean(&muxer.file, 9), Err(InputError::FileDamaged));
    }

    #[test]
    fn data_after_the_last_page_is_refused() {
        let (file, _) = voice_note(&opus_tags(0), 255);
        for tail in [&b"PK\x03\x04"[..], &[0; 100][..]] {
            let hidden = [file.as_slice(), tail].concat();
            assert_eq!(clean(&hidden, 9), Err(InputError::FilePolyglot));
        }
    }
}
