//! The PDF and PNG engine: typst templates become PDF documents, SVG maps become PNG images.
//!
//! Everything heavy is loaded once in a [`Printer`] (the embedded fonts, parsed into a font book
//! for typst and a font database for resvg, and typst's standard library) and reused for every
//! document, from any thread.
//!
//! # Templates
//!
//! A template is typst source. The data it lays out is handed to it as a JSON file at the
//! virtual path `data.json`, which it reads with
//!
//! ```typst
//! #let data = json("data.json")
//! ```
//!
//! (Not through `sys.inputs`: typst bakes the inputs into its standard library, which would then
//! have to be rebuilt for every document instead of being loaded once.) Extra files, such as a
//! map drawn as SVG, are passed by name and read by the same path: `image("map.svg")`. Nothing
//! else is readable: no file of the host, no package, no system font. Templates should use fixed
//! file names: typst keeps every path it has seen for the life of the process (65,535 at most).
//!
//! Metadata (title, author, keywords) is set by each template with `#set document(...)`; it
//! lands in the PDF's document information and XMP metadata.
//!
//! # Fonts
//!
//! Only the fonts embedded by `typst-assets` are available: Libertinus Serif, New Computer
//! Modern, New Computer Modern Math and DejaVu Sans Mono. There is no proportional sans-serif
//! among them. Text inside an SVG that names a family typst does not have (the maps ask for
//! "DejaVu Sans, Liberation Sans, Arial, sans-serif") is drawn by typst in the font the template
//! has set where the image stands; [`Printer::png`] draws the generic families `serif` and
//! `sans-serif` in Libertinus Serif and `monospace` in DejaVu Sans Mono, so a map looks the same
//! in a fiche and as an image.
//!
//! # Dates
//!
//! `datetime.today()` in a template gives the current date in UTC (typst's "local" date is UTC
//! too, since a server's time zone says nothing about the campaign's). Templates should rather
//! print the date the caller passes in the data, already formatted in French.

mod raster;
mod world;

use std::sync::Arc;

use typst::foundations::Datetime;
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt};

/// Loaded once (fonts from typst-assets parsed into a FontBook, the typst Library), reused for
/// every document; Send + Sync.
pub struct Printer {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
    /// The same fonts for resvg, which draws text through its own font database.
    fontdb: Arc<resvg::usvg::fontdb::Database>,
}

/// Why a document or an image could not be made.
#[derive(Debug, thiserror::Error)]
pub enum PrintError {
    /// The template does not compile; each diagnostic reads "line L, column C: message"
    /// (prefixed with the file name when the problem is in another file, such as `data.json`).
    #[error("the template does not compile: {}", .0.join("; "))]
    Template(Vec<String>),
    /// The laid-out document could not be written as PDF.
    #[error("the pdf could not be written: {}", .0.join("; "))]
    Pdf(Vec<String>),
    /// A file handed to the template has a name typst cannot address, or a reserved one.
    #[error("{name:?} cannot be handed to the template: {problem}")]
    FileName { name: String, problem: String },
    /// The SVG could not be parsed.
    #[error("the svg could not be read: {0}")]
    Svg(String),
    /// The requested image would be empty or too large.
    #[error("a png of {width}×{height} pixels cannot be made: each side must be between 1 and {max}", max = raster::MAX_SIDE)]
    ImageSize { width: u32, height: u32 },
    /// The pixels could not be encoded as PNG.
    #[error("the png could not be encoded: {0}")]
    Png(String),
}

impl Printer {
    /// Parses the embedded fonts and builds typst's standard library (milliseconds, but the
    /// first document then takes some tens of milliseconds more as typst fills its caches):
    /// make one and share it.
    pub fn new() -> Printer {
        let fonts: Vec<Font> = typst_assets::fonts()
            .flat_map(|data| Font::iter(typst::foundations::Bytes::new(data)))
            .collect();
        let book = FontBook::from_fonts(&fonts);
        Printer {
            library: LazyHash::new(Library::default()),
            book: LazyHash::new(book),
            fonts,
            fontdb: Arc::new(raster::font_database()),
        }
    }

    /// Compiles a typst `source` to PDF. `data` is handed to the template as JSON: the template
    /// reads it with `#let data = json("data.json")`. `files` are extra virtual files the
    /// template may read by path, e.g. ("map.svg", svg bytes) used as `image("map.svg")`.
    pub fn pdf(
        &self,
        source: &str,
        data: &serde_json::Value,
        files: &[(&str, &[u8])],
    ) -> Result<Vec<u8>, PrintError> {
        let document = world::Document::new(self, source, data, files)?;
        let compiled = typst::compile::<typst_layout::PagedDocument>(&document).output;
        let pages = compiled.map_err(|errors| {
            PrintError::Template(errors.iter().map(|e| document.describe(e)).collect())
        });
        let pdf = pages.and_then(|pages| {
            let options = typst_pdf::PdfOptions {
                creator: typst::foundations::Smart::Custom(Some("Tribun".to_owned())),
                timestamp: now().map(typst_pdf::Timestamp::new_utc),
                ..typst_pdf::PdfOptions::default()
            };
            typst_pdf::pdf(&pages, &options).map_err(|errors| {
                PrintError::Pdf(errors.iter().map(|e| document.describe(e)).collect())
            })
        });
        // typst's memoisation cache is global and would otherwise grow with every document:
        // keep what the last few compilations used, which is what makes the next one fast.
        typst::comemo::evict(30);
        pdf
    }

    /// Rasterises an SVG (e.g. a choropleth map) to PNG at `width` pixels, using the same
    /// embedded fonts for text (resvg + usvg fontdb loaded once inside the Printer). The height
    /// follows the SVG's aspect ratio. An SVG cannot read files: images it links to by path are
    /// left out.
    pub fn png(&self, svg: &str, width: u32) -> Result<Vec<u8>, PrintError> {
        raster::png(&self.fontdb, svg, width)
    }
}

impl Default for Printer {
    fn default() -> Printer {
        Printer::new()
    }
}

impl std::fmt::Debug for Printer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Printer")
            .field("fonts", &self.fonts.len())
            .finish_non_exhaustive()
    }
}

/// The current UTC date and time.
fn now() -> Option<Datetime> {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_secs();
    let (year, month, day) = civil_date(i64::try_from(seconds / 86_400).ok()?);
    let of_day = seconds % 86_400;
    Datetime::from_ymd_hms(
        year,
        month,
        day,
        (of_day / 3600) as u8,
        (of_day / 60 % 60) as u8,
        (of_day % 60) as u8,
    )
}

/// The current UTC date shifted by `offset_hours`.
fn today(offset_hours: i64) -> Option<Datetime> {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_secs();
    let seconds = i64::try_from(seconds).ok()? + offset_hours * 3600;
    let (year, month, day) = civil_date(seconds.div_euclid(86_400));
    Datetime::from_ymd(year, month, day)
}

/// The Gregorian date of a day counted from 1970-01-01 (Howard Hinnant's `civil_from_days`).
fn civil_date(days: i64) -> (i32, u8, u8) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year as i32, month as u8, day as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_since_the_epoch_become_calendar_dates() {
        assert_eq!(civil_date(0), (1970, 1, 1));
        assert_eq!(civil_date(-1), (1969, 12, 31));
        assert_eq!(civil_date(11_016), (2000, 2, 29));
        assert_eq!(civil_date(20_791), (2026, 12, 4));
    }

    #[test]
    fn a_printer_can_be_shared_between_threads() {
        fn shared<T: Send + Sync>() {}
        shared::<Printer>();
    }
}
