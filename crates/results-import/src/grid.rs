//! Bytes to a grid of text cells: an xlsx (or xls, ods) sheet, or delimited text whose
//! encoding and separator are detected.

use std::fmt;
use std::io::Cursor;

use calamine::{Data, Reader, open_workbook_auto_from_rs};

/// The container the cells came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Spreadsheet,
    Delimited(u8),
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Format::Spreadsheet => f.write_str("tableur (xlsx)"),
            Format::Delimited(b'\t') => f.write_str("texte séparé par des tabulations"),
            Format::Delimited(separator) => {
                write!(f, "texte séparé par '{}'", char::from(*separator))
            }
        }
    }
}

/// The text encoding the file was read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// Cells of a spreadsheet are Unicode already.
    Unicode,
    Utf8,
    /// Windows-1252, the superset of Latin-1 that the ministry's "Latin-1" files are in.
    Windows1252,
    /// The DOS code page 850, in which some ministry exports are written.
    Cp850,
}

impl fmt::Display for Encoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Encoding::Unicode => "Unicode",
            Encoding::Utf8 => "UTF-8",
            Encoding::Windows1252 => "Latin-1 (Windows-1252)",
            Encoding::Cp850 => "DOS (CP850)",
        })
    }
}

#[derive(Debug)]
pub struct Grid {
    pub format: Format,
    pub encoding: Encoding,
    /// The header row first; blank rows are dropped.
    pub rows: Vec<Row>,
}

#[derive(Debug)]
pub struct Row {
    /// 1-based line (or sheet row) number.
    pub line: usize,
    /// Trimmed cell texts, trailing empty cells removed: one buffer per row rather than one
    /// string per cell, which a national bureau file has by the ten million.
    pub cells: csv::StringRecord,
}

#[derive(Debug)]
pub struct GridError {
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub problem: String,
}

fn whole_file(problem: impl Into<String>) -> GridError {
    GridError {
        line: None,
        column: None,
        problem: problem.into(),
    }
}

pub fn read(bytes: &[u8]) -> Result<Grid, GridError> {
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return read_spreadsheet(bytes);
    }
    let (text, encoding) = decode(bytes)?;
    read_delimited(&text, encoding)
}

fn read_spreadsheet(bytes: &[u8]) -> Result<Grid, GridError> {
    let mut workbook = open_workbook_auto_from_rs(Cursor::new(bytes))
        .map_err(|e| whole_file(format!("unreadable spreadsheet: {e}")))?;
    let sheet = workbook
        .sheet_names()
        .first()
        .cloned()
        .ok_or_else(|| whole_file("the spreadsheet has no sheet"))?;
    let range = workbook
        .worksheet_range(&sheet)
        .map_err(|e| whole_file(format!("unreadable sheet {sheet:?}: {e}")))?;
    let (first_row, first_column) = range.start().unwrap_or((0, 0));
    let mut rows = Vec::new();
    for (index, cells) in range.rows().enumerate() {
        let mut texts: Vec<String> = Vec::with_capacity(first_column as usize + cells.len());
        texts.resize(first_column as usize, String::new());
        texts.extend(cells.iter().map(cell_text));
        push_row(
            &mut rows,
            first_row as usize + index + 1,
            texts.iter().map(String::as_str),
        );
    }
    Ok(Grid {
        format: Format::Spreadsheet,
        encoding: Encoding::Unicode,
        rows,
    })
}

/// A cell as the text a delimited file would hold: integers without ".0".
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(text) => text.trim().to_owned(),
        Data::Int(number) => number.to_string(),
        Data::Float(number) if number.fract() == 0.0 && number.abs() < 1e15 => {
            format!("{}", *number as i64)
        }
        Data::Float(number) => number.to_string(),
        Data::Bool(value) => value.to_string(),
        Data::DateTime(value) => value.as_f64().to_string(),
        Data::DateTimeIso(text) | Data::DurationIso(text) => text.clone(),
        Data::Error(error) => format!("#{error:?}"),
    }
}

/// Keeps the row, its cells trimmed and its trailing empty cells removed, unless it is blank.
fn push_row<'c>(rows: &mut Vec<Row>, line: usize, cells: impl Iterator<Item = &'c str> + Clone) {
    let trimmed = cells.map(str::trim);
    let width = trimmed
        .clone()
        .enumerate()
        .filter(|(_, cell)| !cell.is_empty())
        .last()
        .map_or(0, |(column, _)| column + 1);
    if width == 0 {
        return;
    }
    let length = trimmed.clone().take(width).map(str::len).sum();
    let mut record = csv::StringRecord::with_capacity(length, width);
    for cell in trimmed.take(width) {
        record.push_field(cell);
    }
    rows.push(Row {
        line,
        cells: record,
    });
}

/// Detects the encoding: UTF-8 when the bytes are valid UTF-8, else Windows-1252 or CP850,
/// whichever reads as more French letters. A file that is UTF-8 in places and not in others,
/// UTF-16 or binary is refused at the first offending byte.
fn decode(bytes: &[u8]) -> Result<(String, Encoding), GridError> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(whole_file(
            "the file is UTF-16: expected UTF-8, Latin-1 or CP850 text (save it as CSV UTF-8)",
        ));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Some(offset) = bytes.iter().position(|&b| b == 0) {
        return Err(at_offset(
            bytes,
            offset,
            "a NUL byte: this is not a text file (expected UTF-8, Latin-1 or CP850 text)",
        ));
    }
    let error = match std::str::from_utf8(bytes) {
        Ok(text) => return Ok((text.to_owned(), Encoding::Utf8)),
        Err(error) => error,
    };
    if has_utf8_sequence(bytes) {
        let offset = error.valid_up_to();
        return Err(at_offset(
            bytes,
            offset,
            &format!(
                "byte 0x{:02X} is not UTF-8, although the file is UTF-8 before it: \
                 the file mixes two encodings",
                bytes[offset]
            ),
        ));
    }
    // Both are single-byte encodings that agree on ASCII, so the letters to compare are the
    // other bytes, read through each table: counted once, not decoded twice.
    let mut high = [0usize; 128];
    for &byte in bytes {
        if byte >= 0x80 {
            high[usize::from(byte - 0x80)] += 1;
        }
    }
    let (mut windows_letters, mut dos_letters) = (0, 0);
    for (offset, &count) in high.iter().enumerate().filter(|(_, count)| **count > 0) {
        let byte = [0x80 + offset as u8];
        let (windows, _, _) = encoding_rs::WINDOWS_1252.decode(&byte);
        windows_letters += count * french_letters(&windows);
        let dos = oem_cp::code_table::DECODING_TABLE_CP850[offset];
        dos_letters += count * french_letters(dos.encode_utf8(&mut [0; 4]));
    }
    if dos_letters > windows_letters {
        let dos =
            oem_cp::decode_string_complete_table(bytes, &oem_cp::code_table::DECODING_TABLE_CP850);
        Ok((dos, Encoding::Cp850))
    } else {
        let (windows, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
        Ok((windows.into_owned(), Encoding::Windows1252))
    }
}

/// Whether the bytes hold at least one well-formed multi-byte UTF-8 sequence.
fn has_utf8_sequence(bytes: &[u8]) -> bool {
    bytes
        .windows(2)
        .any(|pair| (0xC2..=0xDF).contains(&pair[0]) && (0x80..=0xBF).contains(&pair[1]))
}

fn french_letters(text: &str) -> usize {
    text.chars()
        .filter(|c| "éèêëàâäîïôöûüùçÉÈÊËÀÂÎÏÔÖÛÜÙÇœŒ°".contains(*c))
        .count()
}

fn at_offset(bytes: &[u8], offset: usize, problem: &str) -> GridError {
    let before = &bytes[..offset];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    GridError {
        line: Some(line),
        column: Some(offset - line_start + 1),
        problem: format!("{problem} (column counted in bytes)"),
    }
}

/// The separator is the one of ';', ',', tab that the header line holds most often.
fn read_delimited(text: &str, encoding: Encoding) -> Result<Grid, GridError> {
    let header = text.lines().next().unwrap_or_default();
    let separator = [b';', b'\t', b',']
        .into_iter()
        .max_by_key(|s| header.bytes().filter(|b| b == s).count())
        .unwrap_or(b';');
    if !header.bytes().any(|b| b == separator) {
        return Err(GridError {
            line: Some(1),
            column: None,
            problem: "expected a header row of columns separated by ';', ',' or tabs".into(),
        });
    }
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(separator)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    // A record's line is where the reader stood before it, past blank lines (the csv crate's
    // record positions lag one record behind).
    let line_starts: Vec<u64> = std::iter::once(0)
        .chain(
            text.bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i as u64 + 1),
        )
        .collect();
    let line_of = |byte: u64| line_starts.partition_point(|&start| start <= byte);
    let mut rows = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        let mut start = reader.position().byte() as usize;
        while matches!(text.as_bytes().get(start), Some(b'\r' | b'\n')) {
            start += 1;
        }
        let line = line_of(start as u64);
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                push_row(&mut rows, line, record.iter());
            }
            Err(error) => {
                return Err(GridError {
                    line: Some(line),
                    column: None,
                    problem: format!("unreadable delimited text: {error}"),
                });
            }
        }
    }
    Ok(Grid {
        format: Format::Delimited(separator),
        encoding,
        rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings_are_told_apart_by_their_french_letters() {
        let latin1 = b"Code du d\xe9partement;Libell\xe9\r\n34;H\xe9rault\r\n";
        let (text, encoding) = decode(latin1).expect("decodes");
        assert_eq!(encoding, Encoding::Windows1252);
        assert!(text.contains("Hérault"));
        let dos = b"Departement,LibCirElec\r\n01,1\x8are circonscription \x90ric\r\n";
        let (text, encoding) = decode(dos).expect("decodes");
        assert_eq!(encoding, Encoding::Cp850);
        assert!(text.contains("1ère circonscription Éric"), "{text}");
        let (_, encoding) = decode("Hérault;é".as_bytes()).expect("decodes");
        assert_eq!(encoding, Encoding::Utf8);
    }

    #[test]
    fn mixed_and_binary_encodings_are_refused_where_they_go_wrong() {
        let mut mixed = "a;b\nHérault;x\nBéziers".as_bytes().to_vec();
        mixed.extend_from_slice(b";\xe9\n");
        let error = decode(&mixed).expect_err("mixed");
        assert_eq!((error.line, error.column), (Some(3), Some(10)));
        let error = decode(b"a;b\n1;\x002").expect_err("binary");
        assert_eq!(error.line, Some(2));
        assert!(decode(&[0xFF, 0xFE, b'a', 0]).is_err());
    }

    #[test]
    fn rows_keep_their_line_numbers() {
        let grid = read(b"a;b\r\n1;2\r\n\r\n3;\"x\ny\"\r\n4;5").expect("reads");
        let lines: Vec<usize> = grid.rows.iter().map(|r| r.line).collect();
        assert_eq!(lines, vec![1, 2, 4, 6]);
    }
}
