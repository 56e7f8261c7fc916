//! Distances on the Earth, the same on the phone (duplicate hints offline)
//! and on the server (the `nearby` answer).

/// Mean Earth radius, metres.
const EARTH_RADIUS_M: f64 = 6_371_000.0;

/// Great-circle distance in metres between two WGS 84 points (haversine;
/// well within a metre at the few hundred metres duplicate hints use).
pub fn distance_m(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = (lat2 - lat1).to_radians();
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * a.sqrt().asin()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_distances() {
        assert_eq!(distance_m(18.9, 105.3, 18.9, 105.3), 0.0);
        // One thousandth of a degree of latitude is about 111 m.
        let d = distance_m(18.9, 105.3, 18.901, 105.3);
        assert!((110.0..112.0).contains(&d), "{d}");
        // Đô Lương town to Vinh, about 50 km.
        let d = distance_m(18.899, 105.306, 18.679, 105.681);
        assert!((44_000.0..48_000.0).contains(&d), "{d}");
    }
}
