//! What the phone and the server must know about a JPEG *before* decoding
//! it: its frame header, what decoding it will cost in memory, whether the
//! file is whole, and which of its segments carry metadata.
//!
//! Hand-written on purpose: the decoders we use (`jpeg-decoder`) expose
//! neither the components' sampling factors nor a way to bound the
//! progressive coefficient buffers before allocating them, and no crate
//! removes metadata segments without re-encoding. A JPEG is a list of
//! length-prefixed segments (ITU T.81 §B.1), so walking it is small, and
//! every step here is bounded by the input's length.

use std::borrow::Cow;

/// Why a byte string is not a JPEG we can read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JpegError {
    /// It does not start with SOI.
    #[error("not a JPEG file")]
    NotJpeg,
    /// A segment runs past the end of the file, or the file ends before EOI.
    #[error("the JPEG file is truncated")]
    Truncated,
    /// A marker or segment that the standard does not allow here.
    #[error("the JPEG file is damaged: {0}")]
    Malformed(&'static str),
}

/// How the frame is coded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coding {
    /// Baseline or extended sequential DCT.
    Sequential,
    /// Progressive DCT: the decoder keeps every coefficient of the image.
    Progressive,
    /// Lossless (no DCT): decoded at full size, 16 bits a sample.
    Lossless,
}

/// One colour component's sampling factors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Component {
    /// Horizontal sampling factor (1–4).
    pub h: u8,
    /// Vertical sampling factor (1–4).
    pub v: u8,
}

/// The frame header (SOFn).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// Width in pixels.
    pub width: u16,
    /// Height in pixels.
    pub height: u16,
    /// Bits per sample (8, 12 or 16).
    pub precision: u8,
    /// How it is coded.
    pub coding: Coding,
    /// The components, 1 (grey), 3 (YCbCr/RGB) or 4 (CMYK/YCCK).
    pub components: Vec<Component>,
}

const SOI: u8 = 0xD8;
const EOI: u8 = 0xD9;
const SOS: u8 = 0xDA;

/// Markers that stand alone, without a length.
fn standalone(marker: u8) -> bool {
    matches!(marker, SOI | EOI | 0x01 | 0xD0..=0xD7)
}

/// One segment as found in the file: its marker and the byte range of the
/// whole segment (marker included; for SOS, the entropy-coded data too).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segment {
    /// The marker byte (the one after 0xFF).
    pub marker: u8,
    /// Where the segment starts (at its 0xFF).
    pub start: usize,
    /// Where its header ends (after the length-prefixed payload).
    pub header_end: usize,
    /// Where it ends (for SOS, after the entropy-coded data).
    pub end: usize,
}

impl Segment {
    /// The payload after the marker and length (empty for standalone markers).
    pub fn payload<'a>(&self, bytes: &'a [u8]) -> &'a [u8] {
        bytes.get(self.start + 4..self.header_end).unwrap_or_default()
    }
}

/// Walk every segment from SOI to EOI. The last segment returned is EOI; a
/// file without one is [`JpegError::Truncated`].
pub fn segments(bytes: &[u8]) -> Result<Vec<Segment>, JpegError> {
    if !bytes.starts_with(&[0xFF, SOI]) {
        return Err(JpegError::NotJpeg);
    }
    let mut out = vec![Segment { marker: SOI, start: 0, header_end: 2, end: 2 }];
    let mut at = 2;
    loop {
        // Fill bytes (0xFF repeated) may precede a marker.
        while bytes.get(at) == Some(&0xFF) && bytes.get(at + 1) == Some(&0xFF) {
            at += 1;
        }
        if at + 1 >= bytes.len() {
            return Err(JpegError::Truncated);
        }
        if bytes[at] != 0xFF {
            return Err(JpegError::Malformed("a segment does not start with a marker"));
        }
        let marker = bytes[at + 1];
        if marker == 0x00 {
            return Err(JpegError::Malformed("stuffed byte outside entropy-coded data"));
        }
        if standalone(marker) {
            out.push(Segment { marker, start: at, header_end: at + 2, end: at + 2 });
            at += 2;
            if marker == EOI {
                return Ok(out);
            }
            if marker == SOI {
                return Err(JpegError::Malformed("a second SOI"));
            }
            continue;
        }
        let len = match bytes.get(at + 2..at + 4) {
            Some(b) => usize::from(u16::from_be_bytes([b[0], b[1]])),
            None => return Err(JpegError::Truncated),
        };
        if len < 2 {
            return Err(JpegError::Malformed("a segment length below 2"));
        }
        let header_end = at + 2 + len;
        if header_end > bytes.len() {
            return Err(JpegError::Truncated);
        }
        let end = if marker == SOS { entropy_end(bytes, header_end)? } else { header_end };
        out.push(Segment { marker, start: at, header_end, end });
        at = end;
    }
}

/// The end of entropy-coded data starting at `from`: the next 0xFF that is
/// neither a stuffed byte (FF 00), a restart marker nor a fill byte.
fn entropy_end(bytes: &[u8], from: usize) -> Result<usize, JpegError> {
    let mut at = from;
    loop {
        let Some(pos) = bytes[at..].iter().position(|&b| b == 0xFF) else {
            return Err(JpegError::Truncated);
        };
        let ff = at + pos;
        match bytes.get(ff + 1) {
            None => return Err(JpegError::Truncated),
            Some(0x00 | 0xD0..=0xD7 | 0xFF) => at = ff + 1,
            Some(_) => return Ok(ff),
        }
    }
}

/// Read the frame header without reading the image data. Stops at the first
/// SOFn, so it costs nothing for a large file.
pub fn frame(bytes: &[u8]) -> Result<Frame, JpegError> {
    if !bytes.starts_with(&[0xFF, SOI]) {
        return Err(JpegError::NotJpeg);
    }
    let mut at = 2;
    loop {
        while bytes.get(at) == Some(&0xFF) && bytes.get(at + 1) == Some(&0xFF) {
            at += 1;
        }
        let (Some(&0xFF), Some(&marker)) = (bytes.get(at), bytes.get(at + 1)) else {
            return Err(if at + 1 >= bytes.len() { JpegError::Truncated } else { JpegError::Malformed("no marker") });
        };
        if standalone(marker) {
            if marker == EOI || marker == SOI {
                return Err(JpegError::Malformed("no frame header"));
            }
            at += 2;
            continue;
        }
        let len = bytes.get(at + 2..at + 4).map(|b| usize::from(u16::from_be_bytes([b[0], b[1]])));
        let Some(len) = len.filter(|&l| l >= 2) else { return Err(JpegError::Truncated) };
        let payload = bytes.get(at + 4..at + 2 + len).ok_or(JpegError::Truncated)?;
        match marker {
            0xC0..=0xC3 | 0xC5..=0xC7 | 0xC9..=0xCB | 0xCD..=0xCF => return parse_sof(marker, payload),
            SOS => return Err(JpegError::Malformed("image data before the frame header")),
            _ => at += 2 + len,
        }
    }
}

fn parse_sof(marker: u8, p: &[u8]) -> Result<Frame, JpegError> {
    if p.len() < 6 {
        return Err(JpegError::Truncated);
    }
    let precision = p[0];
    let height = u16::from_be_bytes([p[1], p[2]]);
    let width = u16::from_be_bytes([p[3], p[4]]);
    let count = usize::from(p[5]);
    if !(1..=4).contains(&count) {
        return Err(JpegError::Malformed("component count"));
    }
    if p.len() < 6 + 3 * count {
        return Err(JpegError::Truncated);
    }
    let components = (0..count)
        .map(|i| {
            let hv = p[6 + 3 * i + 1];
            Component { h: hv >> 4, v: hv & 0x0F }
        })
        .collect::<Vec<_>>();
    if components.iter().any(|c| !(1..=4).contains(&c.h) || !(1..=4).contains(&c.v)) {
        return Err(JpegError::Malformed("sampling factor"));
    }
    if width == 0 || height == 0 {
        return Err(JpegError::Malformed("an image without pixels"));
    }
    let coding = match marker & 0x0F {
        0x2 | 0x6 | 0xA | 0xE => Coding::Progressive,
        0x3 | 0x7 | 0xB | 0xF => Coding::Lossless,
        _ => Coding::Sequential,
    };
    Ok(Frame { width, height, precision, coding, components })
}

impl Frame {
    /// Bytes a decoded pixel takes (as `jpeg-decoder` returns it).
    pub fn pixel_bytes(&self) -> u64 {
        let per_sample = if self.precision > 8 { 2 } else { 1 };
        match self.components.len() {
            1 => per_sample,
            4 => 4,
            _ => 3,
        }
    }

    /// Size after decoding at 1/`denominator` in the DCT (1, 2, 4 or 8).
    pub fn scaled(&self, denominator: u32) -> (u32, u32) {
        let d = denominator.max(1);
        (u32::from(self.width).div_ceil(d), u32::from(self.height).div_ceil(d))
    }

    /// The largest DCT reduction (8, 4, 2 or 1) that leaves both sides at
    /// least `min_w` × `min_h` — what `jpeg-decoder`'s `scale` picks.
    pub fn denominator_for(&self, min_w: u32, min_h: u32) -> u32 {
        if self.coding == Coding::Lossless {
            return 1;
        }
        [8, 4, 2]
            .into_iter()
            .find(|&d| {
                let (w, h) = self.scaled(d);
                w >= min_w && h >= min_h
            })
            .unwrap_or(1)
    }

    /// The most memory, in bytes, that decoding this frame at
    /// 1/`denominator` makes the decoder hold at once: a progressive
    /// frame's coefficients for the *whole* image (2 bytes × 64 per block,
    /// whatever the scale — the 420 MB of an 8192² progressive file), each
    /// component's decoded plane, and the output. Mirrors
    /// `jpeg-decoder` 0.3's allocations, rounded up.
    pub fn decode_cost(&self, denominator: u32) -> u64 {
        let h_max = u64::from(self.components.iter().map(|c| c.h).max().unwrap_or(1));
        let v_max = u64::from(self.components.iter().map(|c| c.v).max().unwrap_or(1));
        let (w, h) = (u64::from(self.width), u64::from(self.height));
        let mcu_w = w.div_ceil(8 * h_max);
        let mcu_h = h.div_ceil(8 * v_max);
        let dct = match self.coding {
            Coding::Lossless => 8,
            _ => 8 / u64::from(denominator.clamp(1, 8)).max(1),
        };
        let mut cost = 0u64;
        for c in &self.components {
            let blocks = (mcu_w * u64::from(c.h)) * (mcu_h * u64::from(c.v));
            match self.coding {
                Coding::Progressive => cost += blocks * 64 * 2 + blocks * dct * dct,
                Coding::Sequential => cost += blocks * dct * dct,
                Coding::Lossless => cost += w * h * 2,
            }
        }
        let (sw, sh) = self.scaled(if self.coding == Coding::Lossless { 1 } else { denominator });
        cost + u64::from(sw) * u64::from(sh) * self.pixel_bytes()
    }
}

/// Whether a segment carries metadata that must not be published: EXIF and
/// XMP (APP1), IPTC/Photoshop (APP13), comments, maker notes and previews
/// (APP3–APP12, APP15), and APP2 other than an ICC profile (FlashPix, MPF).
/// Kept: JFIF (APP0), ICC profiles (APP2 `ICC_PROFILE`), Adobe (APP14,
/// which says how to read the colours).
fn is_metadata(segment: &Segment, bytes: &[u8]) -> bool {
    match segment.marker {
        0xE0 | 0xEE => false,
        0xE2 => !segment.payload(bytes).starts_with(b"ICC_PROFILE\0"),
        0xE1 | 0xE3..=0xED | 0xEF | 0xFE => true,
        _ => false,
    }
}

/// The EXIF payload (after `Exif\0\0`) of the first APP1 EXIF segment.
pub fn exif(bytes: &[u8]) -> Option<&[u8]> {
    let segments = segments(bytes).ok()?;
    segments.iter().filter(|s| s.marker == 0xE1).find_map(|s| s.payload(bytes).strip_prefix(b"Exif\0\0".as_slice()))
}

/// The file without its metadata segments and without anything after EOI
/// (where phones append previews and maker data), pixels untouched. A file
/// that has none comes back borrowed, byte for byte the same (so a photo the
/// app already cleaned keeps its SHA-256).
///
/// `keep_orientation` (2–8), when given, is written back as a minimal EXIF
/// segment holding only the orientation tag, so a photo still shows upright.
pub fn strip_metadata(bytes: &[u8], keep_orientation: Option<u16>) -> Result<Cow<'_, [u8]>, JpegError> {
    let segments = segments(bytes)?;
    let end = segments.last().map(|s| s.end).unwrap_or(bytes.len());
    let orientation = keep_orientation.filter(|o| (2..=8).contains(o));
    let dirty = end != bytes.len() || segments.iter().any(|s| is_metadata(s, bytes));
    if !dirty && orientation.is_none() {
        return Ok(Cow::Borrowed(bytes));
    }
    let mut out = Vec::with_capacity(end);
    let mut orientation = orientation;
    for (i, s) in segments.iter().enumerate() {
        if is_metadata(s, bytes) {
            continue;
        }
        out.extend_from_slice(&bytes[s.start..s.end]);
        // Once, right after SOI (or after JFIF, if it comes first).
        let next_is_jfif = segments.get(i + 1).is_some_and(|n| n.marker == 0xE0);
        if (s.marker == 0xE0 || (s.marker == SOI && !next_is_jfif))
            && let Some(o) = orientation.take()
        {
            out.extend_from_slice(&orientation_app1(o));
        }
    }
    Ok(Cow::Owned(out))
}

/// APP1 with a big-endian TIFF header and one IFD0 entry: Orientation.
fn orientation_app1(orientation: u16) -> Vec<u8> {
    let mut tiff = Vec::with_capacity(26);
    tiff.extend_from_slice(b"MM\0\x2A\0\0\0\x08"); // big-endian, IFD0 at 8
    tiff.extend_from_slice(&1u16.to_be_bytes()); // one entry
    tiff.extend_from_slice(&0x0112u16.to_be_bytes()); // Orientation
    tiff.extend_from_slice(&3u16.to_be_bytes()); // SHORT
    tiff.extend_from_slice(&1u32.to_be_bytes()); // count
    tiff.extend_from_slice(&orientation.to_be_bytes());
    tiff.extend_from_slice(&[0, 0]); // value padding
    tiff.extend_from_slice(&0u32.to_be_bytes()); // no next IFD
    let len = (2 + 6 + tiff.len()) as u16;
    let mut seg = vec![0xFF, 0xE1];
    seg.extend_from_slice(&len.to_be_bytes());
    seg.extend_from_slice(b"Exif\0\0");
    seg.extend_from_slice(&tiff);
    seg
}

#[cfg(test)]
mod tests;
