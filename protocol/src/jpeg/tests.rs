use super::*;

fn seg(marker: u8, payload: &[u8]) -> Vec<u8> {
    let mut out = vec![0xFF, marker];
    out.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(payload);
    out
}

fn sof(marker: u8, w: u16, h: u16, comps: &[(u8, u8)]) -> Vec<u8> {
    let mut p = vec![8];
    p.extend_from_slice(&h.to_be_bytes());
    p.extend_from_slice(&w.to_be_bytes());
    p.push(comps.len() as u8);
    for (i, (hh, vv)) in comps.iter().enumerate() {
        p.extend_from_slice(&[i as u8 + 1, (hh << 4) | vv, 0]);
    }
    seg(marker, &p)
}

/// A structurally complete file: SOI, the given segments, one scan whose
/// data holds a stuffed byte and a restart marker, EOI.
fn file(before_scan: &[Vec<u8>]) -> Vec<u8> {
    let mut out = vec![0xFF, 0xD8];
    for s in before_scan {
        out.extend_from_slice(s);
    }
    out.extend_from_slice(&seg(0xDA, &[1, 1, 0, 0, 63, 0]));
    out.extend_from_slice(&[0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD0, 0x56]);
    out.extend_from_slice(&[0xFF, 0xD9]);
    out
}

#[test]
fn reads_the_frame_header_and_coding() {
    let f = file(&[seg(0xE0, b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0"), sof(0xC2, 640, 480, &[(2, 2), (1, 1), (1, 1)])]);
    let frame = frame(&f).unwrap();
    assert_eq!((frame.width, frame.height, frame.coding), (640, 480, Coding::Progressive));
    assert_eq!(frame.components, vec![Component { h: 2, v: 2 }, Component { h: 1, v: 1 }, Component { h: 1, v: 1 }]);
    assert_eq!(super::frame(&file(&[sof(0xC0, 1, 1, &[(1, 1)])])).unwrap().coding, Coding::Sequential);
    assert_eq!(super::frame(&file(&[sof(0xC3, 1, 1, &[(1, 1)])])).unwrap().coding, Coding::Lossless);
}

#[test]
fn refuses_what_is_not_a_readable_header() {
    assert_eq!(frame(b"GIF89a"), Err(JpegError::NotJpeg));
    assert_eq!(frame(&[0xFF, 0xD8, 0xFF]), Err(JpegError::Truncated));
    assert_eq!(frame(&[0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x40]), Err(JpegError::Truncated));
    assert_eq!(frame(&file(&[sof(0xC0, 0, 10, &[(1, 1)])])), Err(JpegError::Malformed("an image without pixels")));
    assert_eq!(frame(&file(&[sof(0xC0, 10, 10, &[(5, 1)])])), Err(JpegError::Malformed("sampling factor")));
    assert_eq!(frame(&file(&[])), Err(JpegError::Malformed("image data before the frame header")));
}

#[test]
fn progressive_cost_counts_the_whole_image_whatever_the_scale() {
    // The file: 8192² progressive, 4:4:4. Coefficients alone are
    // 1024·1024 blocks × 128 bytes × 3 components = 384 MiB.
    let f = file(&[sof(0xC2, 8192, 8192, &[(1, 1), (1, 1), (1, 1)])]);
    let frame = frame(&f).unwrap();
    let at_eighth = frame.decode_cost(8);
    assert!(at_eighth > 384 << 20, "{at_eighth}");
    assert!(at_eighth < 400 << 20, "{at_eighth}");
    // The same picture in baseline costs only its scaled planes.
    let base = super::frame(&file(&[sof(0xC0, 8192, 8192, &[(1, 1), (1, 1), (1, 1)])])).unwrap();
    assert!(base.decode_cost(8) < 8 << 20, "{}", base.decode_cost(8));
    // 4:2:0 chroma costs a quarter each.
    let sub = super::frame(&file(&[sof(0xC2, 8192, 8192, &[(2, 2), (1, 1), (1, 1)])])).unwrap();
    assert!(sub.decode_cost(8) < at_eighth * 6 / 10);
}

#[test]
fn denominator_is_the_largest_that_keeps_the_target() {
    let frame = frame(&file(&[sof(0xC0, 4000, 3000, &[(2, 2), (1, 1), (1, 1)])])).unwrap();
    assert_eq!(frame.denominator_for(1600, 1200), 2);
    assert_eq!(frame.denominator_for(240, 180), 8);
    assert_eq!(frame.denominator_for(4000, 3000), 1);
    assert_eq!(frame.scaled(8), (500, 375));
}

#[test]
fn segments_walk_to_eoi_through_stuffed_bytes_and_restarts() {
    let f = file(&[sof(0xC0, 8, 8, &[(1, 1)])]);
    let segs = segments(&f).unwrap();
    let markers: Vec<u8> = segs.iter().map(|s| s.marker).collect();
    assert_eq!(markers, vec![0xD8, 0xC0, 0xDA, 0xD9]);
    assert_eq!(segs.last().unwrap().end, f.len());
}

#[test]
fn a_file_cut_anywhere_is_truncated() {
    let f = file(&[seg(0xE1, b"Exif\0\0MM"), sof(0xC0, 8, 8, &[(1, 1)])]);
    for cut in 2..f.len() {
        assert_eq!(segments(&f[..cut]), Err(JpegError::Truncated), "cut at {cut}");
    }
}

#[test]
fn strip_removes_metadata_keeps_colour_and_pixels() {
    let jfif = seg(0xE0, b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0");
    let exif = seg(0xE1, b"Exif\0\0GPS-here");
    let xmp = seg(0xE1, b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta/>");
    let icc = seg(0xE2, b"ICC_PROFILE\0\x01\x01profile");
    let mpf = seg(0xE2, b"MPF\0preview");
    let iptc = seg(0xED, b"Photoshop 3.0\0");
    let com = seg(0xFE, b"taken at home");
    let adobe = seg(0xEE, b"Adobe\0\x64\0\0\0\0\x01");
    let sof0 = sof(0xC0, 8, 8, &[(1, 1)]);
    let mut dirty = file(&[jfif.clone(), exif, xmp, icc.clone(), mpf, iptc, com, adobe.clone(), sof0.clone()]);
    dirty.extend_from_slice(b"trailer with a second JPEG and its EXIF");
    let clean = strip_metadata(&dirty, None).unwrap();
    assert_eq!(clean.as_ref(), file(&[jfif, icc, adobe, sof0]).as_slice());
    assert!(matches!(strip_metadata(&clean, None).unwrap(), Cow::Borrowed(_)), "clean stays byte-identical");
    for secret in [b"GPS-here".as_slice(), b"xmpmeta", b"taken at home", b"trailer", b"Photoshop", b"MPF"] {
        assert!(!clean.windows(secret.len()).any(|w| w == secret));
    }
}

#[test]
fn strip_can_keep_only_the_orientation() {
    let f = file(&[seg(0xE1, b"Exif\0\0secret"), sof(0xC0, 8, 8, &[(1, 1)])]);
    let out = strip_metadata(&f, Some(6)).unwrap();
    let payload = exif(&out).unwrap();
    assert_eq!(&payload[..4], b"MM\0\x2A");
    // The one entry: tag 0x0112, SHORT, count 1, value 6.
    assert_eq!(&payload[10..20], &[0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6]);
    assert!(!out.windows(6).any(|w| w == b"secret"));
    assert!(matches!(strip_metadata(&file(&[sof(0xC0, 8, 8, &[(1, 1)])]), Some(1)).unwrap(), Cow::Borrowed(_)));
}

#[test]
fn the_orientation_is_written_once_even_after_two_app0_segments() {
    let jfif = seg(0xE0, b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0");
    let jfxx = seg(0xE0, b"JFXX\0\x10");
    let f = file(&[jfif, jfxx, seg(0xE1, b"Exif\0\0secret"), sof(0xC0, 8, 8, &[(1, 1)])]);
    let out = strip_metadata(&f, Some(8)).unwrap();
    let exifs = segments(&out).unwrap().iter().filter(|s| s.marker == 0xE1).count();
    assert_eq!(exifs, 1);
    assert_eq!(segments(&out).unwrap()[2].marker, 0xE1, "right after the first APP0");
}
