//! SVG to PNG through resvg, with the embedded fonts and no access to files.

use std::sync::Arc;

use resvg::tiny_skia;
use resvg::usvg;
use resvg::usvg::fontdb;

use crate::PrintError;

/// The largest side of an image, in pixels: a bound on memory (10,000² pixels are 400 MB).
pub(crate) const MAX_SIDE: u32 = 10_000;

const SERIF: &str = "Libertinus Serif";
const MONOSPACE: &str = "DejaVu Sans Mono";

/// The embedded fonts, with the generic families mapped onto them (see the crate's
/// documentation on fonts).
pub(crate) fn font_database() -> fontdb::Database {
    let mut database = fontdb::Database::new();
    for data in typst_assets::fonts() {
        database.load_font_source(fontdb::Source::Binary(Arc::new(data)));
    }
    database.set_serif_family(SERIF);
    database.set_sans_serif_family(SERIF);
    database.set_cursive_family(SERIF);
    database.set_fantasy_family(SERIF);
    database.set_monospace_family(MONOSPACE);
    database
}

pub(crate) fn png(
    fonts: &Arc<fontdb::Database>,
    svg: &str,
    width: u32,
) -> Result<Vec<u8>, PrintError> {
    let options = usvg::Options {
        fontdb: Arc::clone(fonts),
        font_family: SERIF.to_owned(),
        // Linked images are never read from disk: an SVG names no file of the host.
        image_href_resolver: usvg::ImageHrefResolver {
            resolve_string: Box::new(|_, _| None),
            ..usvg::ImageHrefResolver::default()
        },
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_str(svg, &options).map_err(|e| PrintError::Svg(e.to_string()))?;
    let size = tree.size();
    let scale = width as f32 / size.width();
    // `as` saturates, so an absurd ratio gives 0 or u32::MAX, both refused below.
    let height = (size.height() * scale).round() as u32;
    if !(1..=MAX_SIDE).contains(&width) || !(1..=MAX_SIDE).contains(&height) {
        return Err(PrintError::ImageSize { width, height });
    }
    let mut pixmap =
        tiny_skia::Pixmap::new(width, height).ok_or(PrintError::ImageSize { width, height })?;
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    pixmap
        .encode_png()
        .map_err(|e| PrintError::Png(e.to_string()))
}
