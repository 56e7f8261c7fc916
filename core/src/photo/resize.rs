//! Shrinking with a high-quality filter (Lanczos3), never enlarging.
//!
//! Our own separable convolution on packed RGB8, in fixed point, the way
//! Pillow does it: coefficients scaled to 2²² so a row of taps sums exactly,
//! one vertical pass into an 8-bit intermediate, then one horizontal pass.
//! We wrote it rather than link `fast_image_resize` because that crate
//! compiles every pixel type for every CPU extension, 2.8 MB of the phone
//! library's code for the one format we use (see `docs/benchmarks.md`).
//! The vertical pass is a straight multiply-add over whole rows, which the
//! compiler vectorises (NEON on phones, SSE on desktops).

use super::PhotoError;

/// A packed 8-bit RGB image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Rgb {
    pub width: u32,
    pub height: u32,
    pub data: Vec<u8>,
}

/// The size that fits `max_edge` on the long side, keeping the aspect ratio.
pub(super) fn fitted(width: u32, height: u32, max_edge: u32) -> (u32, u32) {
    let long = width.max(height);
    if long <= max_edge {
        return (width, height);
    }
    let scale = f64::from(max_edge) / f64::from(long);
    let w = ((f64::from(width) * scale).round() as u32).clamp(1, max_edge);
    let h = ((f64::from(height) * scale).round() as u32).clamp(1, max_edge);
    (w, h)
}

/// Shrink to fit `max_edge`; an image already small enough is returned as is.
pub(super) fn fit(src: &Rgb, max_edge: u32) -> Result<Rgb, PhotoError> {
    let (w, h) = fitted(src.width, src.height, max_edge);
    if (w, h) == (src.width, src.height) {
        return Ok(src.clone());
    }
    resize(src, w, h)
}

/// Lanczos3 resample to exactly `width`×`height` (each no larger than the source's).
pub(super) fn resize(src: &Rgb, width: u32, height: u32) -> Result<Rgb, PhotoError> {
    let (sw, sh) = (src.width as usize, src.height as usize);
    let (dw, dh) = (width as usize, height as usize);
    if sw == 0 || sh == 0 || dw == 0 || dh == 0 || dw > sw || dh > sh || src.data.len() != sw * sh * 3 {
        return Err(PhotoError::Internal(format!("cannot resize {sw}×{sh} ({} bytes) to {dw}×{dh}", src.data.len())));
    }
    // Vertical first: it vectorises well, and leaves fewer rows for the
    // slower horizontal pass (the intermediate is sw×dh).
    let down = if dh == sh { src.data.clone() } else { vertical(&src.data, sw, &Taps::new(sh, dh)) };
    let data = if dw == sw { down } else { horizontal(&down, sw, dh, &Taps::new(sw, dw)) };
    Ok(Rgb { width, height, data })
}

/// Fixed-point precision: 8 bits of pixel and 22 of weight fit an i32 with
/// room for the negative lobes' overshoot.
const PRECISION: u32 = 22;
const ROUND: i32 = 1 << (PRECISION - 1);

/// Which input pixels, with which weights, make each output pixel on one axis.
struct Taps {
    /// Per output pixel: the first input index.
    spans: Vec<usize>,
    /// Weights, `stride` per output pixel.
    weights: Vec<i32>,
    stride: usize,
}

impl Taps {
    fn new(input: usize, output: usize) -> Taps {
        let scale = input as f64 / output as f64;
        let filter_scale = scale.max(1.0);
        let support = 3.0 * filter_scale;
        // Every output pixel gets the same number of taps (zero-padded and
        // kept inside the input), so the inner loops have one fixed length.
        let stride = (support.ceil() as usize * 2 + 1).min(input);
        let mut spans = Vec::with_capacity(output);
        let mut weights = vec![0i32; output * stride];
        let mut float = vec![0f64; stride];
        for (i, row) in weights.chunks_exact_mut(stride).enumerate() {
            let center = (i as f64 + 0.5) * scale;
            let first = ((center - support + 0.5).floor().max(0.0)) as usize;
            let last = ((center + support + 0.5).floor() as usize).min(input);
            let count = (last - first).min(stride);
            let start = first.min(input - stride);
            let shift = first - start;
            let mut total = 0.0;
            for (j, w) in float[..count].iter_mut().enumerate() {
                *w = lanczos3(((first + j) as f64 - center + 0.5) / filter_scale);
                total += *w;
            }
            // Normalise so a flat area stays exactly flat after rounding.
            let live = &mut row[shift..shift + count];
            let mut fixed_total = 0;
            for (w, f) in live.iter_mut().zip(&float[..count]) {
                *w = (f / total * f64::from(1 << PRECISION)).round() as i32;
                fixed_total += *w;
            }
            if let Some(peak) = live.iter_mut().max() {
                *peak += (1 << PRECISION) - fixed_total;
            }
            spans.push(start);
        }
        Taps { spans, weights, stride }
    }

    fn of(&self, i: usize) -> (usize, &[i32]) {
        (self.spans[i], &self.weights[i * self.stride..(i + 1) * self.stride])
    }
}

fn lanczos3(x: f64) -> f64 {
    fn sinc(x: f64) -> f64 {
        if x == 0.0 {
            1.0
        } else {
            let a = x * std::f64::consts::PI;
            a.sin() / a
        }
    }
    if x.abs() < 3.0 { sinc(x) * sinc(x / 3.0) } else { 0.0 }
}

fn clamp(acc: i32) -> u8 {
    (acc >> PRECISION).clamp(0, 255) as u8
}

#[inline(always)]
fn horizontal_body(src: &[u8], sw: usize, sh: usize, taps: &Taps) -> Vec<u8> {
    let dw = taps.spans.len();
    let (line, out_line, n) = (sw * 3, dw * 3, taps.stride * 3);
    let mut out = vec![0u8; out_line * sh];
    // Two rows at a time: each weight is loaded once for both, and six
    // independent sums keep the CPU busy.
    let mut pairs = src.chunks_exact(line * 2).zip(out.chunks_exact_mut(out_line * 2));
    for (rows, dst) in &mut pairs {
        let (a, b) = rows.split_at(line);
        let (da, db) = dst.split_at_mut(out_line);
        for (x, (pa, pb)) in da.chunks_exact_mut(3).zip(db.chunks_exact_mut(3)).enumerate() {
            let (first, weights) = taps.of(x);
            let (sa, sb) = (&a[first * 3..first * 3 + n], &b[first * 3..first * 3 + n]);
            let mut acc = [ROUND; 6];
            for ((qa, qb), &k) in sa.chunks_exact(3).zip(sb.chunks_exact(3)).zip(weights) {
                acc[0] += i32::from(qa[0]) * k;
                acc[1] += i32::from(qa[1]) * k;
                acc[2] += i32::from(qa[2]) * k;
                acc[3] += i32::from(qb[0]) * k;
                acc[4] += i32::from(qb[1]) * k;
                acc[5] += i32::from(qb[2]) * k;
            }
            pa.copy_from_slice(&[clamp(acc[0]), clamp(acc[1]), clamp(acc[2])]);
            pb.copy_from_slice(&[clamp(acc[3]), clamp(acc[4]), clamp(acc[5])]);
        }
    }
    if sh % 2 == 1 {
        let row = &src[line * (sh - 1)..];
        let dst = &mut out[out_line * (sh - 1)..];
        for (x, px) in dst.chunks_exact_mut(3).enumerate() {
            let (first, weights) = taps.of(x);
            let mut acc = [ROUND; 3];
            for (q, &k) in row[first * 3..first * 3 + n].chunks_exact(3).zip(weights) {
                acc[0] += i32::from(q[0]) * k;
                acc[1] += i32::from(q[1]) * k;
                acc[2] += i32::from(q[2]) * k;
            }
            px.copy_from_slice(&[clamp(acc[0]), clamp(acc[1]), clamp(acc[2])]);
        }
    }
    out
}

#[inline(always)]
fn vertical_body(src: &[u8], width: usize, taps: &Taps) -> Vec<u8> {
    let line = width * 3;
    let dh = taps.spans.len();
    let mut out = vec![0u8; line * dh];
    let mut acc = vec![0i32; line];
    for (y, dst) in out.chunks_exact_mut(line).enumerate() {
        let (first, weights) = taps.of(y);
        let rows = &src[first * line..(first + weights.len()) * line];
        acc.fill(ROUND);
        // Two source rows per sweep halve the trips through `acc`.
        let mut pairs = rows.chunks_exact(line * 2).zip(weights.chunks_exact(2));
        for (two, k) in &mut pairs {
            let (r0, r1) = two.split_at(line);
            let (k0, k1) = (k[0], k[1]);
            for ((a, &p), &q) in acc.iter_mut().zip(r0).zip(r1) {
                *a += i32::from(p) * k0 + i32::from(q) * k1;
            }
        }
        if weights.len() % 2 == 1 {
            let k = weights[weights.len() - 1];
            for (a, &p) in acc.iter_mut().zip(&rows[rows.len() - line..]) {
                *a += i32::from(p) * k;
            }
        }
        for (d, &a) in dst.iter_mut().zip(&acc) {
            *d = clamp(a);
        }
    }
    out
}

// The loops above are written for the compiler to vectorise. Phones (arm64)
// always have NEON; an x86_64 build may only assume SSE2, which lacks a
// 32-bit multiply, so on x86_64 we compile them twice and pick AVX2 when the
// CPU has it (a few KB, against the 2.8 MB of a general-purpose resizer).
macro_rules! dispatch {
    ($name:ident, $body:ident, ($($arg:ident: $ty:ty),*)) => {
        // The one unsafe call in the core: a CPU feature check guards it.
        #[allow(unsafe_code)]
        fn $name($($arg: $ty),*) -> Vec<u8> {
            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "avx2")]
                fn avx2($($arg: $ty),*) -> Vec<u8> {
                    $body($($arg),*)
                }
                if std::arch::is_x86_feature_detected!("avx2") {
                    // SAFETY: the CPU was just checked to have AVX2.
                    return unsafe { avx2($($arg),*) };
                }
            }
            $body($($arg),*)
        }
    };
}
dispatch!(horizontal, horizontal_body, (src: &[u8], sw: usize, sh: usize, taps: &Taps));
dispatch!(vertical, vertical_body, (src: &[u8], width: usize, taps: &Taps));

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fitting_keeps_aspect_and_never_enlarges() {
        assert_eq!(fitted(4608, 1976, 1600), (1600, 686));
        assert_eq!(fitted(1976, 4608, 1600), (686, 1600));
        assert_eq!(fitted(640, 480, 1600), (640, 480));
        assert_eq!(fitted(100_000, 1, 1600), (1600, 1));
    }

    fn image(width: u32, height: u32, mut f: impl FnMut(u32, u32) -> [u8; 3]) -> Rgb {
        let mut data = Vec::with_capacity((width * height * 3) as usize);
        for y in 0..height {
            for x in 0..width {
                data.extend_from_slice(&f(x, y));
            }
        }
        Rgb { width, height, data }
    }

    #[test]
    fn flat_colour_stays_exactly_flat() {
        let src = image(997, 613, |_, _| [12, 200, 255]);
        let out = fit(&src, 100).unwrap();
        assert_eq!((out.width, out.height), (100, 61));
        assert!(out.data.chunks_exact(3).all(|p| p == [12, 200, 255]), "a flat image must not gain ripples");
    }

    #[test]
    fn weights_sum_to_one_on_every_axis_size() {
        for (input, output) in [(4000, 1600), (1601, 1600), (7, 3), (3, 1), (9000, 2)] {
            let taps = Taps::new(input, output);
            for i in 0..output {
                let (first, w) = taps.of(i);
                assert!(first + w.len() <= input, "{input}→{output} at {i}");
                assert_eq!(w.iter().sum::<i32>(), 1 << PRECISION, "{input}→{output} at {i}");
            }
        }
    }

    #[test]
    fn halving_averages_like_a_low_pass_and_keeps_edges_in_place() {
        // Left half black, right half white: after halving, the edge is still
        // in the middle and the far sides are untouched.
        let src = image(400, 10, |x, _| if x < 200 { [0; 3] } else { [255; 3] });
        let out = resize(&src, 200, 5).unwrap();
        let px = |x: usize| out.data[x * 3];
        assert_eq!(px(0), 0);
        assert_eq!(px(199), 255);
        assert!(px(98) < 20 && px(101) > 235, "edge moved: {} {}", px(98), px(101));
        // A one-pixel checkerboard (the highest frequency) must not alias into stripes.
        let checker = image(200, 200, |x, y| if (x + y) % 2 == 0 { [0; 3] } else { [255; 3] });
        let out = resize(&checker, 67, 67).unwrap();
        let (lo, hi) = out.data.iter().fold((255u8, 0u8), |(lo, hi), &v| (lo.min(v), hi.max(v)));
        assert!(lo > 100 && hi < 155, "aliasing: {lo}..{hi}");
    }

    /// Straight floating-point Lanczos3 (weights computed per pixel, no
    /// padding, no rounding): what the fast path must match.
    fn reference(src: &Rgb, dw: usize, dh: usize) -> Vec<f64> {
        let axis = |input: usize, output: usize| -> Vec<Vec<(usize, f64)>> {
            let scale = input as f64 / output as f64;
            let support = 3.0 * scale;
            (0..output)
                .map(|i| {
                    let center = (i as f64 + 0.5) * scale;
                    let taps: Vec<(usize, f64)> = (0..input)
                        .filter(|&j| ((j as f64 + 0.5) - center).abs() < support)
                        .map(|j| (j, lanczos3((j as f64 + 0.5 - center) / scale)))
                        .collect();
                    let total: f64 = taps.iter().map(|t| t.1).sum();
                    taps.into_iter().map(|(j, w)| (j, w / total)).collect()
                })
                .collect()
        };
        let (sw, sh) = (src.width as usize, src.height as usize);
        let (xs, ys) = (axis(sw, dw), axis(sh, dh));
        // Vertical, then horizontal; the intermediate is clamped to 0–255
        // like the 8-bit one (ringing past black or white is cut there).
        let mut mid = vec![0.0; sw * dh * 3];
        for (y, ty) in ys.iter().enumerate() {
            for i in 0..sw * 3 {
                let v: f64 = ty.iter().map(|&(sy, w)| w * f64::from(src.data[sy * sw * 3 + i])).sum();
                mid[y * sw * 3 + i] = v.clamp(0.0, 255.0);
            }
        }
        let mut out = vec![0.0; dw * dh * 3];
        for y in 0..dh {
            for (x, tx) in xs.iter().enumerate() {
                for c in 0..3 {
                    let v: f64 = tx.iter().map(|&(sx, w)| w * mid[(y * sw + sx) * 3 + c]).sum();
                    out[(y * dw + x) * 3 + c] = v.clamp(0.0, 255.0);
                }
            }
        }
        out
    }

    #[test]
    fn matches_a_floating_point_lanczos3() {
        // Smooth gradients plus sharp detail and noise, at the scales the
        // pipeline uses (just below 2×, 1.25×, and a large reduction), on
        // odd sizes so the edges' padded taps are exercised.
        let mut seed = 7u32;
        let src = image(301, 203, |x, y| {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            let noise = (seed >> 28) as u8;
            let stripe = if (x / 5 + y / 7) % 2 == 0 { 60 } else { 0 };
            [(x % 256) as u8 / 2 + noise, (y % 256) as u8 + stripe / 2, stripe + noise * 4]
        });
        for (dw, dh) in [(160, 108), (241, 162), (37, 25), (301, 100)] {
            let fast = resize(&src, dw, dh).unwrap();
            let exact = reference(&src, dw as usize, dh as usize);
            let worst = fast.data.iter().zip(&exact).map(|(&a, &b)| (f64::from(a) - b).abs()).fold(0.0, f64::max);
            // One rounding to 8 bits between the passes, one at the end.
            assert!(worst <= 2.0, "{dw}×{dh}: off by {worst}");
        }
    }

    #[test]
    fn refuses_impossible_sizes_instead_of_panicking() {
        let src = image(10, 10, |_, _| [1; 3]);
        assert!(resize(&src, 11, 5).is_err());
        assert!(resize(&src, 0, 5).is_err());
        let short = Rgb { width: 10, height: 10, data: vec![0; 10] };
        assert!(resize(&short, 5, 5).is_err());
    }
}
