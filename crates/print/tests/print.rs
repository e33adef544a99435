//! The printer on real files: the fiche template read back with poppler, typst errors, PNG maps.

use std::path::Path;
use std::process::Command;
use std::sync::LazyLock;

use tribun_print::{PrintError, Printer};

static PRINTER: LazyLock<Printer> = LazyLock::new(Printer::new);

const FICHE: &str = include_str!("../../../templates/fiche.typ");
const MAP: &str = include_str!("fixtures/map.svg");

fn fixture(name: &str) -> serde_json::Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    let text = std::fs::read_to_string(&path).expect("the fixture is readable");
    serde_json::from_str(&text).expect("the fixture is JSON")
}

fn fiche(name: &str) -> Vec<u8> {
    PRINTER
        .pdf(FICHE, &fixture(name), &[("map.svg", MAP.as_bytes())])
        .expect("the fiche compiles")
}

/// Runs a poppler tool on the PDF (`options`, the file, then `outputs`) and returns what it
/// printed.
fn poppler(tool: &str, pdf: &[u8], options: &[&str], outputs: &[&str]) -> String {
    let directory = tempfile::tempdir().expect("a temporary directory");
    let path = directory.path().join("fiche.pdf");
    std::fs::write(&path, pdf).expect("the pdf is written");
    let output = Command::new(tool)
        .args(options)
        .arg(&path)
        .args(outputs)
        .output()
        .unwrap_or_else(|e| panic!("{tool} runs (apt-get install poppler-utils): {e}"));
    assert!(output.status.success(), "{tool} failed: {output:?}");
    String::from_utf8(output.stdout).expect("poppler prints UTF-8")
}

fn text_of(pdf: &[u8]) -> String {
    poppler("pdftotext", pdf, &["-layout", "-enc", "UTF-8"], &["-"])
}

/// The PDF's text with runs of spaces made single, so table rows can be matched whatever the
/// column widths.
fn flat_text_of(pdf: &[u8]) -> String {
    text_of(pdf)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn the_fiche_shows_every_section_of_its_data() {
    let pdf = fiche("fiche.json");
    assert!(pdf.starts_with(b"%PDF-"));
    let text = flat_text_of(&pdf);
    for expected in [
        "1re circonscription de l’Hérault",
        "Identité",
        "123 456 habitants",
        "Député·e élu·e",
        "Camille FICTIVE",
        "Résultats électoraux",
        "Évolution",
        "Européennes 2024",
        "91 204 49,61 % Liste A (RN) 24,80 % Liste B (ENS) 16,02 % +3,9 pts",
        "Carte",
        "Score de priorité par commune",
        "Indicateurs socio-économiques",
        "Taux de chômage (15-64 ans) 12,3 % 10,1 % +2,2 pts",
        "Zones prioritaires",
        "Palavas-les-Flots 34192",
        "Actualité locale",
        "Fermeture annoncée d’une agence postale de quartier",
        "Activité militante",
        "Portes frappées 1 234",
        "Sources",
        "Insee, recensement 2019 — Licence Ouverte",
        "Fiche générée le 4 décembre 2026",
        "Page 1 sur ",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} is missing from:\n{text}"
        );
    }
}

#[test]
fn the_sections_come_in_order() {
    let text = flat_text_of(&fiche("fiche.json"));
    let headings = [
        "Identité",
        "Député·e élu·e",
        "Résultats électoraux",
        "Carte",
        "Indicateurs socio-économiques",
        "Zones prioritaires",
        "Actualité locale",
        "Activité militante",
        "Sources •",
    ];
    let positions: Vec<usize> = headings
        .iter()
        .map(|h| {
            text.find(h)
                .unwrap_or_else(|| panic!("{h:?} is missing from:\n{text}"))
        })
        .collect();
    assert!(
        positions.is_sorted(),
        "{headings:?} at {positions:?} in:\n{text}"
    );
}

#[test]
fn the_text_of_the_map_survives_into_the_pdf() {
    let text = flat_text_of(&fiche("fiche.json"));
    assert!(text.contains("80,0 – 87,5"), "no legend label in:\n{text}");
    assert!(
        text.contains("pas de données"),
        "no legend label in:\n{text}"
    );
    assert!(
        text.contains("Source : Tribun, score de priorité — Licence Ouverte"),
        "no source line in:\n{text}"
    );
}

#[test]
fn the_title_is_in_the_document_information() {
    let info = poppler("pdfinfo", &fiche("fiche.json"), &["-enc", "UTF-8"], &[]);
    let title = info.lines().find(|l| l.starts_with("Title:"));
    assert_eq!(
        title.map(|l| l.trim_start_matches("Title:").trim()),
        Some("1re circonscription de l'Hérault"),
        "{info}"
    );
    assert!(info.contains("Author:          Tribun"), "{info}");
    assert!(info.contains("Keywords:"), "{info}");
    assert!(info.contains("Creator:         Tribun"), "{info}");
    assert!(
        info.contains("Page size:       595.276 x 841.89 pts (A4)"),
        "{info}"
    );
}

#[test]
fn empty_and_null_sections_are_left_out() {
    let pdf = fiche("fiche-sparse.json");
    let text = flat_text_of(&pdf);
    for absent in [
        "Actualité locale",
        "Activité militante",
        "Député",
        "Carte",
        "Nuance",
    ] {
        assert!(
            !text.contains(absent),
            "{absent:?} should not be in:\n{text}"
        );
    }
    for present in [
        "Identité",
        "Résultats électoraux",
        "Zones prioritaires",
        "Sources",
    ] {
        assert!(
            text.contains(present),
            "{present:?} is missing from:\n{text}"
        );
    }
}

#[test]
fn a_fiche_of_a_circonscription_holds_on_at_most_two_pages() {
    let info = poppler("pdfinfo", &fiche("fiche.json"), &["-enc", "UTF-8"], &[]);
    let pages: u32 = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no page count in {info}"));
    assert!((1..=2).contains(&pages), "{pages} pages");
}

#[test]
fn a_syntax_error_names_its_line_and_column() {
    let source = "#let data = json(\"data.json\")\n= Titre\n#let x = (1, 2\nFin\n";
    let error = PRINTER
        .pdf(source, &serde_json::json!({}), &[])
        .expect_err("the source does not compile");
    let PrintError::Template(diagnostics) = &error else {
        panic!("expected a template error, got {error:?}");
    };
    assert!(
        diagnostics.iter().any(|d| d.starts_with("line 3, column ")),
        "{diagnostics:?}"
    );
    assert!(
        error
            .to_string()
            .starts_with("the template does not compile: line 3, column ")
    );
}

#[test]
fn an_unknown_field_of_the_data_is_reported_where_the_template_reads_it() {
    let source = "#let data = json(\"data.json\")\n\n#data.missing\n";
    let error = PRINTER
        .pdf(source, &serde_json::json!({"present": 1}), &[])
        .expect_err("the field does not exist");
    assert_eq!(
        error.to_string(),
        "the template does not compile: line 3, column 7: dictionary does not contain key \"missing\"",
    );
}

#[test]
fn a_missing_file_is_an_error_not_a_panic() {
    let error = PRINTER
        .pdf("#image(\"absent.svg\")", &serde_json::Value::Null, &[])
        .expect_err("the file is not there");
    assert!(error.to_string().contains("line 1, column 8"), "{error}");
    assert!(error.to_string().contains("absent.svg"), "{error}");
}

#[test]
fn the_data_file_name_cannot_be_taken_by_another_file() {
    let error = PRINTER
        .pdf("x", &serde_json::Value::Null, &[("data.json", b"{}")])
        .expect_err("the name is reserved");
    assert!(matches!(error, PrintError::FileName { .. }), "{error:?}");
}

/// The width and height recorded in a PNG's IHDR chunk.
fn png_size(png: &[u8]) -> (u32, u32) {
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "not a PNG");
    assert_eq!(&png[12..16], b"IHDR");
    let number = |at: usize| u32::from_be_bytes([png[at], png[at + 1], png[at + 2], png[at + 3]]);
    (number(16), number(20))
}

#[test]
fn a_map_becomes_a_png_of_the_requested_width() {
    let png = PRINTER.png(MAP, 800).expect("the map is drawn");
    // 1000×620 scaled to 800 wide.
    assert_eq!(png_size(&png), (800, 496));
}

#[test]
fn an_invalid_svg_is_an_error_not_a_panic() {
    for svg in ["", "<svg", "not xml at all", "<html></html>"] {
        let error = PRINTER.png(svg, 100).expect_err("not an SVG");
        assert!(
            matches!(error, PrintError::Svg(_)),
            "{svg:?} gave {error:?}"
        );
    }
}

#[test]
fn an_empty_or_huge_png_is_refused() {
    assert!(matches!(
        PRINTER.png(MAP, 0),
        Err(PrintError::ImageSize { .. })
    ));
    assert!(matches!(
        PRINTER.png(MAP, 50_000),
        Err(PrintError::ImageSize { .. })
    ));
    let sliver = r#"<svg xmlns="http://www.w3.org/2000/svg" width="1" height="100000"/>"#;
    assert!(matches!(
        PRINTER.png(sliver, 100),
        Err(PrintError::ImageSize { .. })
    ));
}
