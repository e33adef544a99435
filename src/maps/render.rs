//! Drawing a choropleth: territories in Lambert-93 (overseas ones in insets), classes by
//! quantiles or chosen breaks, colour-blind-safe palettes, a legend and a source line.
//!
//! Invariant: rendering is a pure function of the shapes and the spec, so a map is the same
//! wherever it is drawn; every shape carries its code (`data-code`) and a tooltip (`<title>`).

use std::fmt::Write as _;

use serde::Deserialize;

use crate::maps::projection::{Lambert93, equirectangular};

/// One territory to draw: its boundary (a GeoJSON Polygon or MultiPolygon in WGS84) and its
/// value, if it has one.
#[derive(Debug, Clone)]
pub struct Shape {
    pub code: String,
    pub name: String,
    pub geometry: String,
    pub value: Option<f64>,
}

/// How values are cut into classes.
#[derive(Debug, Clone, PartialEq)]
pub enum Classes {
    /// This many classes holding about as many territories each.
    Quantiles(usize),
    /// Upper bounds chosen by the user, ascending.
    Breaks(Vec<f64>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Palette {
    /// Viridis: sequential, readable by every common colour-vision deficiency and in grey.
    Sequential,
    /// Purple–orange (ColorBrewer PuOr): diverging, colour-blind safe, for evolutions.
    Diverging,
}

impl Palette {
    fn stops(self) -> &'static [[u8; 3]] {
        match self {
            Palette::Sequential => &[
                [0x44, 0x01, 0x54],
                [0x47, 0x2d, 0x7b],
                [0x3b, 0x52, 0x8b],
                [0x2c, 0x72, 0x8e],
                [0x21, 0x91, 0x8c],
                [0x28, 0xae, 0x80],
                [0x5e, 0xc9, 0x62],
                [0xad, 0xdc, 0x30],
                [0xfd, 0xe7, 0x25],
            ],
            Palette::Diverging => &[
                [0xb3, 0x58, 0x06],
                [0xf1, 0xa3, 0x40],
                [0xfe, 0xe0, 0xb6],
                [0xf7, 0xf7, 0xf7],
                [0xd8, 0xda, 0xeb],
                [0x99, 0x8e, 0xc3],
                [0x54, 0x27, 0x88],
            ],
        }
    }

    /// `count` colours spread evenly along the palette.
    pub fn colours(self, count: usize) -> Vec<String> {
        let stops = self.stops();
        (0..count)
            .map(|i| {
                let t = if count <= 1 {
                    0.5
                } else {
                    i as f64 / (count - 1) as f64
                };
                let position = t * (stops.len() - 1) as f64;
                let low = position.floor() as usize;
                let high = (low + 1).min(stops.len() - 1);
                let fraction = position - low as f64;
                let channel = |c: usize| {
                    let value = stops[low][c] as f64
                        + (stops[high][c] as f64 - stops[low][c] as f64) * fraction;
                    value.round() as u8
                };
                format!("#{:02x}{:02x}{:02x}", channel(0), channel(1), channel(2))
            })
            .collect()
    }
}

/// What the values are, for labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Percent,
    Points,
    Score,
}

impl Unit {
    pub fn format(self, value: f64) -> String {
        let number = format!("{value:.1}").replace('.', ",").replace('-', "−");
        match self {
            Unit::Percent => format!("{number} %"),
            Unit::Points => {
                let sign = if value > 0.0 { "+" } else { "" };
                format!("{sign}{number} pts")
            }
            Unit::Score => number,
        }
    }
}

#[derive(Debug, Clone)]
pub struct MapSpec {
    pub title: String,
    pub unit: Unit,
    pub classes: Classes,
    pub palette: Palette,
    /// "Source : … — licence …", printed under the map.
    pub source: String,
    /// Each shape links to `link_prefix` + its code, when set.
    pub link_prefix: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum MapError {
    #[error("no territory of this map has a boundary")]
    NoGeometry,
    #[error("invalid boundary for {code}: {problem}")]
    Geometry { code: String, problem: String },
}

#[derive(Deserialize)]
struct Geometry {
    #[serde(rename = "type")]
    kind: String,
    coordinates: serde_json::Value,
}

type Ring = Vec<(f64, f64)>;

/// The polygons of a GeoJSON geometry, each a list of rings in longitude/latitude.
fn polygons(code: &str, text: &str) -> Result<Vec<Vec<Ring>>, MapError> {
    let invalid = |problem: String| MapError::Geometry {
        code: code.to_owned(),
        problem,
    };
    let geometry: Geometry = serde_json::from_str(text).map_err(|e| invalid(e.to_string()))?;
    let ring = |value: &serde_json::Value| -> Result<Ring, MapError> {
        let points: Vec<[f64; 2]> =
            serde_json::from_value(value.clone()).map_err(|e| invalid(format!("ring: {e}")))?;
        Ok(points.into_iter().map(|[x, y]| (x, y)).collect())
    };
    let polygon = |value: &serde_json::Value| -> Result<Vec<Ring>, MapError> {
        value
            .as_array()
            .ok_or_else(|| invalid("polygon: expected an array of rings".into()))?
            .iter()
            .map(ring)
            .collect()
    };
    match geometry.kind.as_str() {
        "Polygon" => Ok(vec![polygon(&geometry.coordinates)?]),
        "MultiPolygon" => geometry
            .coordinates
            .as_array()
            .ok_or_else(|| invalid("expected an array of polygons".into()))?
            .iter()
            .map(polygon)
            .collect(),
        other => Err(invalid(format!(
            "expected Polygon or MultiPolygon, found {other}"
        ))),
    }
}

/// Metropolitan France and Corsica are drawn in Lambert-93; anything else in an inset.
fn is_metropolitan(lon: f64, lat: f64) -> bool {
    (-6.0..=10.0).contains(&lon) && (41.0..=52.0).contains(&lat)
}

struct Projected {
    index: usize,
    /// Rings in projected metres.
    rings: Vec<Ring>,
}

#[derive(Default, Clone, Copy)]
struct Bounds {
    min_x: f64,
    min_y: f64,
    max_x: f64,
    max_y: f64,
}

impl Bounds {
    fn of<'a>(rings: impl Iterator<Item = &'a Ring>) -> Option<Bounds> {
        let mut bounds: Option<Bounds> = None;
        for &(x, y) in rings.flatten() {
            let b = bounds.get_or_insert(Bounds {
                min_x: x,
                min_y: y,
                max_x: x,
                max_y: y,
            });
            b.min_x = b.min_x.min(x);
            b.min_y = b.min_y.min(y);
            b.max_x = b.max_x.max(x);
            b.max_y = b.max_y.max(y);
        }
        bounds
    }

    fn width(&self) -> f64 {
        (self.max_x - self.min_x).max(1.0)
    }

    fn height(&self) -> f64 {
        (self.max_y - self.min_y).max(1.0)
    }
}

/// Places projected rings into a box of the canvas, north up.
struct Frame {
    bounds: Bounds,
    left: f64,
    top: f64,
    scale: f64,
}

impl Frame {
    fn fit(bounds: Bounds, left: f64, top: f64, width: f64, height: f64) -> Frame {
        let scale = (width / bounds.width()).min(height / bounds.height());
        // Centre the drawing in its box.
        let left = left + (width - bounds.width() * scale) / 2.0;
        let top = top + (height - bounds.height() * scale) / 2.0;
        Frame {
            bounds,
            left,
            top,
            scale,
        }
    }

    fn path(&self, rings: &[Ring]) -> String {
        let mut d = String::new();
        for ring in rings {
            let mut last: Option<(i64, i64)> = None;
            let mut count = 0;
            for &(x, y) in ring {
                // Tenths of a pixel: points closer than that are dropped.
                let px = ((self.left + (x - self.bounds.min_x) * self.scale) * 10.0).round() as i64;
                let py = ((self.top + (self.bounds.max_y - y) * self.scale) * 10.0).round() as i64;
                if last == Some((px, py)) {
                    continue;
                }
                let command = if count == 0 { 'M' } else { 'L' };
                let _ = write!(
                    d,
                    "{command}{}.{} {}.{}",
                    px / 10,
                    px % 10,
                    py / 10,
                    py % 10
                );
                last = Some((px, py));
                count += 1;
            }
            if count > 0 {
                d.push('Z');
            }
        }
        d
    }
}

/// Upper bounds of each class but the last.
fn breaks(values: &[f64], classes: &Classes) -> Vec<f64> {
    match classes {
        Classes::Breaks(breaks) => {
            let mut breaks = breaks.clone();
            breaks.retain(|b| b.is_finite());
            breaks.sort_by(f64::total_cmp);
            breaks.dedup();
            breaks
        }
        Classes::Quantiles(count) => {
            let mut sorted: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
            sorted.sort_by(f64::total_cmp);
            let count = (*count).clamp(1, 9);
            let mut breaks: Vec<f64> = (1..count)
                .filter_map(|k| sorted.get(k * sorted.len() / count).copied())
                .collect();
            breaks.dedup();
            breaks
        }
    }
}

fn class_of(value: f64, breaks: &[f64]) -> usize {
    breaks.iter().filter(|b| value >= **b).count()
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A frame with its members and, for an inset, its label and box corner.
type Placed<'a> = (Frame, &'a Vec<Projected>, Option<(&'a str, f64, f64)>);

const WIDTH: f64 = 1000.0;
const INSET: f64 = 130.0;

/// Draws the map.
pub fn render(shapes: &[Shape], spec: &MapSpec) -> Result<String, MapError> {
    let lambert = Lambert93::new();
    let mut metropolitan: Vec<Projected> = Vec::new();
    // Overseas shapes grouped by their département (the first three characters of the code).
    let mut overseas: Vec<(String, Vec<Projected>)> = Vec::new();
    for (index, shape) in shapes.iter().enumerate() {
        let polygons = polygons(&shape.code, &shape.geometry)?;
        let Some((lon, lat)) = polygons
            .first()
            .and_then(|p| p.first())
            .and_then(|r| r.first())
            .copied()
        else {
            continue;
        };
        let rings: Vec<Ring> = polygons.into_iter().flatten().collect();
        if is_metropolitan(lon, lat) {
            let rings = rings
                .iter()
                .map(|ring| ring.iter().map(|&(x, y)| lambert.project(x, y)).collect())
                .collect();
            metropolitan.push(Projected { index, rings });
        } else {
            let rings = rings
                .iter()
                .map(|ring| {
                    ring.iter()
                        .map(|&(x, y)| equirectangular(x, y, lat))
                        .collect()
                })
                .collect();
            let group: String = shape.code.chars().take(3).collect();
            match overseas.iter_mut().find(|(g, _)| *g == group) {
                Some((_, members)) => members.push(Projected { index, rings }),
                None => overseas.push((group, vec![Projected { index, rings }])),
            }
        }
    }
    if metropolitan.is_empty() && overseas.is_empty() {
        return Err(MapError::NoGeometry);
    }

    let values: Vec<f64> = shapes.iter().filter_map(|s| s.value).collect();
    let breaks = breaks(&values, &spec.classes);
    let colours = spec.palette.colours(breaks.len() + 1);

    let title_height = 40.0;
    let mut frames: Vec<Placed> = Vec::new();
    let mut top = title_height;
    if let Some(bounds) = Bounds::of(metropolitan.iter().flat_map(|p| p.rings.iter())) {
        let height = (WIDTH - 20.0) * bounds.height() / bounds.width();
        let height = height.min(WIDTH * 1.4);
        frames.push((
            Frame::fit(bounds, 10.0, top, WIDTH - 20.0, height),
            &metropolitan,
            None,
        ));
        top += height + 10.0;
    }
    if !overseas.is_empty() {
        let per_row = ((WIDTH - 20.0) / (INSET + 10.0)).floor().max(1.0) as usize;
        for (i, (group, members)) in overseas.iter().enumerate() {
            let Some(bounds) = Bounds::of(members.iter().flat_map(|p| p.rings.iter())) else {
                continue;
            };
            let row = i / per_row;
            let column = i % per_row;
            let left = 10.0 + column as f64 * (INSET + 10.0);
            let box_top = top + row as f64 * (INSET + 30.0) + 18.0;
            frames.push((
                Frame::fit(bounds, left + 4.0, box_top + 4.0, INSET - 8.0, INSET - 8.0),
                members,
                Some((group.as_str(), left, box_top)),
            ));
        }
        let rows = overseas.len().div_ceil(per_row);
        top += rows as f64 * (INSET + 30.0) + 10.0;
    }
    let legend_top = top + 10.0;
    let legend_rows = (breaks.len() + 2).div_ceil(4);
    let height = legend_top + legend_rows as f64 * 28.0 + 40.0;

    let mut svg = String::with_capacity(64 * 1024);
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height:.0}" width="{WIDTH}" height="{height:.0}" role="img" aria-labelledby="map-title" class="map" font-family="DejaVu Sans, Liberation Sans, Arial, sans-serif">"#
    );
    let _ = write!(
        svg,
        r##"<title id="map-title">{}</title><rect width="100%" height="100%" fill="#ffffff"/><text x="10" y="26" font-size="20" font-weight="bold" fill="#1a1a1a">{}</text>"##,
        escape(&spec.title),
        escape(&spec.title)
    );
    svg.push_str(
        r##"<g class="shapes" stroke="#ffffff" stroke-width="0.6" stroke-linejoin="round">"##,
    );
    for (frame, members, inset) in &frames {
        if let Some((group, left, top)) = inset {
            let _ = write!(
                svg,
                r##"<rect x="{left:.1}" y="{top:.1}" width="{INSET}" height="{INSET}" fill="none" stroke="#999999"/><text x="{left:.1}" y="{:.1}" font-size="12" fill="#333333" stroke="none">{}</text>"##,
                top - 5.0,
                escape(group)
            );
        }
        for projected in members.iter() {
            let shape = &shapes[projected.index];
            let (fill, label) = match shape.value {
                Some(value) => (
                    colours[class_of(value, &breaks)].clone(),
                    spec.unit.format(value),
                ),
                None => ("#d9d9d9".to_owned(), "pas de données".to_owned()),
            };
            let tooltip = format!("{} ({}) : {label}", shape.name, shape.code);
            let path = format!(
                r#"<path class="shape" d="{}" fill="{fill}" fill-rule="evenodd" data-code="{}" data-value="{}"><title>{}</title></path>"#,
                frame.path(&projected.rings),
                escape(&shape.code),
                shape.value.map(|v| format!("{v:.2}")).unwrap_or_default(),
                escape(&tooltip)
            );
            match &spec.link_prefix {
                Some(prefix) => {
                    let _ = write!(
                        svg,
                        r#"<a href="{}{}">{path}</a>"#,
                        escape(prefix),
                        escape(&shape.code)
                    );
                }
                None => svg.push_str(&path),
            }
        }
    }
    svg.push_str("</g>");

    // Legend: one swatch per class, then "no data".
    svg.push_str(r##"<g class="legend" font-size="13" fill="#1a1a1a">"##);
    let lowest = values.iter().copied().fold(f64::INFINITY, f64::min);
    let highest = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut entries: Vec<(String, String)> = Vec::new();
    for (class, colour) in colours.iter().enumerate() {
        let low = if class == 0 {
            lowest
        } else {
            breaks[class - 1]
        };
        let high = breaks.get(class).copied().unwrap_or(highest);
        let label = if values.is_empty() {
            "—".to_owned()
        } else {
            format!("{} – {}", spec.unit.format(low), spec.unit.format(high))
        };
        entries.push((colour.clone(), label));
    }
    entries.push(("#d9d9d9".to_owned(), "pas de données".to_owned()));
    for (i, (colour, label)) in entries.iter().enumerate() {
        let x = 10.0 + (i % 4) as f64 * 245.0;
        let y = legend_top + (i / 4) as f64 * 28.0;
        let _ = write!(
            svg,
            r##"<rect class="legend-swatch" x="{x:.0}" y="{y:.0}" width="22" height="16" fill="{colour}" stroke="#666666" stroke-width="0.5"/><text x="{:.0}" y="{:.0}">{}</text>"##,
            x + 30.0,
            y + 13.0,
            escape(label)
        );
    }
    svg.push_str("</g>");
    let _ = write!(
        svg,
        r##"<text class="source" x="10" y="{:.0}" font-size="11" fill="#4d4d4d">{}</text></svg>"##,
        height - 12.0,
        escape(&spec.source)
    );
    Ok(svg)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square(lon: f64, lat: f64) -> String {
        format!(
            r#"{{"type":"Polygon","coordinates":[[[{lon},{lat}],[{},{lat}],[{},{}],[{lon},{}],[{lon},{lat}]]]}}"#,
            lon + 0.5,
            lon + 0.5,
            lat + 0.5,
            lat + 0.5
        )
    }

    fn spec(classes: Classes) -> MapSpec {
        MapSpec {
            title: "Participation <test>".into(),
            unit: Unit::Percent,
            classes,
            palette: Palette::Sequential,
            source: "Source : essai".into(),
            link_prefix: Some("/territoires/".into()),
        }
    }

    #[test]
    fn quantile_classes_split_the_values_evenly() {
        let values: Vec<f64> = (1..=10).map(f64::from).collect();
        let quintiles = breaks(&values, &Classes::Quantiles(5));
        assert_eq!(quintiles, vec![3.0, 5.0, 7.0, 9.0]);
        let counts: Vec<usize> = (0..5)
            .map(|c| {
                values
                    .iter()
                    .filter(|v| class_of(**v, &quintiles) == c)
                    .count()
            })
            .collect();
        assert_eq!(counts, vec![2, 2, 2, 2, 2]);
        assert_eq!(
            breaks(&values, &Classes::Breaks(vec![5.0, 2.0, 5.0])),
            vec![2.0, 5.0]
        );
    }

    #[test]
    fn palettes_start_and_end_on_their_stops() {
        let colours = Palette::Sequential.colours(5);
        assert_eq!(colours.first().map(String::as_str), Some("#440154"));
        assert_eq!(colours.last().map(String::as_str), Some("#fde725"));
        assert_eq!(Palette::Diverging.colours(3)[1], "#f7f7f7");
    }

    #[test]
    fn a_map_has_one_linked_shape_per_territory_a_legend_and_a_source() {
        let shapes = vec![
            Shape {
                code: "34-01".into(),
                name: "Hérault 1".into(),
                geometry: square(3.8, 43.5),
                value: Some(41.5),
            },
            Shape {
                code: "34-02".into(),
                name: "Hérault 2".into(),
                geometry: square(3.3, 43.5),
                value: None,
            },
            Shape {
                code: "971-01".into(),
                name: "Guadeloupe 1".into(),
                geometry: square(-61.5, 16.2),
                value: Some(30.0),
            },
        ];
        let svg = render(&shapes, &spec(Classes::Quantiles(4))).expect("renders");
        assert_eq!(svg.matches(r#"class="shape""#).count(), 3);
        assert!(svg.contains(r#"<a href="/territoires/34-01">"#));
        assert!(svg.contains("Hérault 1 (34-01) : 41,5 %"));
        assert!(svg.contains("pas de données"));
        assert!(svg.contains("Participation &lt;test&gt;"));
        assert!(svg.contains("Source : essai"));
        assert!(svg.contains(">971<"), "the overseas inset is labelled");
    }

    #[test]
    fn bad_geometry_is_refused_with_the_territory() {
        let shapes = vec![Shape {
            code: "34".into(),
            name: "Hérault".into(),
            geometry: r#"{"type":"Point","coordinates":[3,43]}"#.into(),
            value: None,
        }];
        let error = render(&shapes, &spec(Classes::Quantiles(5))).expect_err("refused");
        assert!(error.to_string().contains("34"));
    }
}
