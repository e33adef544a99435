//! Lambert-93 (EPSG:2154), the official projection of metropolitan France, from the IGN's
//! formulas for the Lambert conformal conic with two standard parallels on GRS80.

use std::f64::consts::FRAC_PI_4;

const A: f64 = 6_378_137.0;
const F: f64 = 1.0 / 298.257_222_101;
const LAT_1: f64 = 44.0;
const LAT_2: f64 = 49.0;
const LAT_0: f64 = 46.5;
const LON_0: f64 = 3.0;
const X_0: f64 = 700_000.0;
const Y_0: f64 = 6_600_000.0;

pub struct Lambert93 {
    e: f64,
    n: f64,
    big_f: f64,
    rho_0: f64,
}

impl Lambert93 {
    pub fn new() -> Self {
        let e = (2.0 * F - F * F).sqrt();
        let m = |lat: f64| {
            let phi = lat.to_radians();
            phi.cos() / (1.0 - e * e * phi.sin().powi(2)).sqrt()
        };
        let t = |lat: f64| t(e, lat.to_radians());
        let n = (m(LAT_1).ln() - m(LAT_2).ln()) / (t(LAT_1).ln() - t(LAT_2).ln());
        let big_f = m(LAT_1) / (n * t(LAT_1).powf(n));
        let rho_0 = A * big_f * t(LAT_0).powf(n);
        Self { e, n, big_f, rho_0 }
    }

    /// Longitude and latitude in degrees to metres east and north.
    pub fn project(&self, lon: f64, lat: f64) -> (f64, f64) {
        let rho = A * self.big_f * t(self.e, lat.to_radians()).powf(self.n);
        let theta = self.n * (lon - LON_0).to_radians();
        (
            X_0 + rho * theta.sin(),
            Y_0 + self.rho_0 - rho * theta.cos(),
        )
    }
}

fn t(e: f64, phi: f64) -> f64 {
    let es = e * phi.sin();
    (FRAC_PI_4 - phi / 2.0).tan() / ((1.0 - es) / (1.0 + es)).powf(e / 2.0)
}

/// A plain equirectangular projection around a latitude, for the small overseas insets
/// (Lambert-93 is only defined for metropolitan France).
pub fn equirectangular(lon: f64, lat: f64, origin_lat: f64) -> (f64, f64) {
    let metres_per_degree = A * std::f64::consts::PI / 180.0;
    (
        lon * metres_per_degree * origin_lat.to_radians().cos(),
        lat * metres_per_degree,
    )
}

#[cfg(test)]
mod tests {
    use super::Lambert93;

    #[test]
    fn lambert_93_matches_proj_reference_points() {
        let projection = Lambert93::new();
        // The projection's origin.
        let (x, y) = projection.project(3.0, 46.5);
        assert!(
            (x - 700_000.0).abs() < 1e-6 && (y - 6_600_000.0).abs() < 1e-6,
            "{x} {y}"
        );
        // Reference values from PROJ (pyproj, EPSG:4326 → EPSG:2154): the Panthéon in Paris
        // and the Comédie in Montpellier, to the millimetre.
        for ((lon, lat), (east, north)) in [
            ((2.345_993_1, 48.846_191), (652_004.028, 6_860_881.630)),
            ((3.876_7, 43.610_8), (770_795.509, 6_279_476.135)),
        ] {
            let (x, y) = projection.project(lon, lat);
            assert!((x - east).abs() < 0.01, "{x} against {east}");
            assert!((y - north).abs() < 0.01, "{y} against {north}");
        }
    }
}
