//! Recognising a layout from the header row, then reading every row through it.

use std::collections::HashMap;
use std::fmt;

use territory_codes::{BureauCode, CircoCode, CommuneCode, DepartementCode, RegionCode};
use unicode_normalization::UnicodeNormalization;

use crate::grid::{Grid, Row};
use crate::{Candidate, Level, ResultsFile, TerritoryKey, TerritoryResult};

/// How candidates are laid out in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Fixed columns then one block of `block` columns per candidate.
    Wide { block: usize },
    /// One row per candidate.
    Long,
}

impl fmt::Display for Layout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Layout::Wide { block } => {
                write!(f, "large (un bloc de {block} colonnes par candidat)")
            }
            Layout::Long => f.write_str("longue (une ligne par candidat)"),
        }
    }
}

#[derive(Debug)]
pub struct LayoutError {
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub header: Option<String>,
    pub problem: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Fixed {
    Departement,
    Circonscription,
    Commune,
    Bureau,
    Region,
    Inscrits,
    Abstentions,
    Votants,
    Blancs,
    Nuls,
    Exprimes,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Panel,
    Sex,
    LastName,
    FirstName,
    Nuance,
    Votes,
    Elected,
    /// Percentages, labels: present, checked for position, not stored.
    Other,
}

/// Lower case, no accents, letters, digits and '%' only: "N°Panneau" → "npanneau",
/// "% Votants" → "%votants".
fn fold(header: &str) -> String {
    header
        .nfd()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '%')
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

fn fixed_field(folded: &str) -> Option<Fixed> {
    Some(match folded {
        "codedudepartement" | "codedepartement" | "departement" | "coddpt" | "codedpt" => {
            Fixed::Departement
        }
        "codedelacirconscription" | "codecirconscription" | "codcirelec" | "codecirco" => {
            Fixed::Circonscription
        }
        "codedelacommune" | "codecommune" | "codcom" => Fixed::Commune,
        "codedubvote" | "codebv" | "codebureauvote" | "codedubureaudevote" => Fixed::Bureau,
        "codedelaregion" | "coderegion" => Fixed::Region,
        "inscrits" => Fixed::Inscrits,
        "abstentions" => Fixed::Abstentions,
        "votants" => Fixed::Votants,
        "blancs" => Fixed::Blancs,
        "nuls" => Fixed::Nuls,
        "exprimes" => Fixed::Exprimes,
        _ => return None,
    })
}

/// A candidate column's field; numbered headers ("Voix 2") lose their number first.
fn candidate_field(folded: &str) -> Option<Field> {
    let name = folded.trim_end_matches(|c: char| c.is_ascii_digit());
    Some(match name {
        "npanneau" | "numerodepanneau" | "numpanneaucand" | "numeropanneau" => Field::Panel,
        "sexe" | "sexecandidat" | "civilitepsn" => Field::Sex,
        "nom" | "nomcandidat" | "nompsn" | "nomtetedeliste" => Field::LastName,
        "prenom" | "prenomcandidat" | "prenompsn" | "prenomtetedeliste" => Field::FirstName,
        "nuance" | "nuancecandidat" | "codnuacand" | "nuanceliste" | "codenuance" => Field::Nuance,
        "voix" | "nbvoix" => Field::Votes,
        "sieges" | "elu" => Field::Elected,
        _ => return None,
    })
}

/// What the header row says.
struct Header {
    names: Vec<String>,
    fixed: HashMap<Fixed, usize>,
    /// First column of the first candidate block.
    start: usize,
    /// The first block's fields by offset.
    block: Vec<Field>,
    level: Level,
}

fn header_error(column: usize, names: &[String], problem: String) -> LayoutError {
    LayoutError {
        line: Some(1),
        column: Some(column + 1),
        header: names.get(column).cloned(),
        problem,
    }
}

fn read_header(row: &Row) -> Result<Header, LayoutError> {
    let names: Vec<String> = row.cells.iter().map(str::to_owned).collect();
    let folded: Vec<String> = names.iter().map(|n| fold(n)).collect();
    let start = folded
        .iter()
        .position(|name| candidate_field(name).is_some() && fixed_field(name).is_none())
        .ok_or_else(|| LayoutError {
            line: Some(row.line),
            column: None,
            header: None,
            problem: "expected candidate columns (N°Panneau, Nom, Voix…) in the header row, \
                      found none: this is not a results file"
                .into(),
        })?;
    let mut fixed = HashMap::new();
    for (column, name) in folded.iter().enumerate() {
        if let Some(field) = fixed_field(name) {
            if column > start && field != Fixed::Departement {
                continue;
            }
            if fixed.insert(field, column).is_some() {
                return Err(header_error(
                    column,
                    &names,
                    "this column appears twice".into(),
                ));
            }
        }
    }
    for (required, label) in [
        (Fixed::Inscrits, "Inscrits"),
        (Fixed::Votants, "Votants"),
        (Fixed::Exprimes, "Exprimés"),
    ] {
        if !fixed.contains_key(&required) {
            return Err(LayoutError {
                line: Some(row.line),
                column: None,
                header: None,
                problem: format!("expected a column {label:?} in the header row, found none"),
            });
        }
    }
    // The first block ends where its first field comes again ("N°Panneau2"), or at the end
    // of the header row when only one block is named.
    let first = folded[start]
        .trim_end_matches(|c: char| c.is_ascii_digit())
        .to_owned();
    let end = (start + 1..folded.len())
        .find(|&c| folded[c].trim_end_matches(|c: char| c.is_ascii_digit()) == first)
        .unwrap_or(folded.len());
    let block: Vec<Field> = folded[start..end]
        .iter()
        .map(|name| candidate_field(name).unwrap_or(Field::Other))
        .collect();
    for (required, label) in [(Field::LastName, "Nom"), (Field::Votes, "Voix")] {
        if !block.contains(&required) {
            return Err(header_error(
                start,
                &names,
                format!("the candidate columns have no {label:?} column"),
            ));
        }
    }
    // Numbered blocks after the first must repeat it field for field.
    for column in end..folded.len() {
        let expected = block[(column - start) % block.len()];
        let found = candidate_field(&folded[column]).unwrap_or(Field::Other);
        if found != expected {
            return Err(header_error(
                column,
                &names,
                format!("expected the candidate block to repeat with {expected:?} here"),
            ));
        }
    }
    let level = if fixed.contains_key(&Fixed::Bureau) {
        if !fixed.contains_key(&Fixed::Commune) {
            return Err(header_error(
                fixed[&Fixed::Bureau],
                &names,
                "a bureau column needs a commune column".into(),
            ));
        }
        Level::Bureau
    } else if fixed.contains_key(&Fixed::Commune) {
        Level::Commune
    } else if fixed.contains_key(&Fixed::Circonscription) {
        Level::Circonscription
    } else if fixed.contains_key(&Fixed::Departement) {
        Level::Departement
    } else if fixed.contains_key(&Fixed::Region) {
        Level::Region
    } else {
        Level::National
    };
    Ok(Header {
        names,
        fixed,
        start,
        block,
        level,
    })
}

pub fn parse(grid: &Grid) -> Result<ResultsFile, LayoutError> {
    let (header_row, rows) = grid.rows.split_first().ok_or_else(|| LayoutError {
        line: None,
        column: None,
        header: None,
        problem: "the file is empty".into(),
    })?;
    let header = read_header(header_row)?;
    if rows.is_empty() {
        return Err(LayoutError {
            line: Some(header_row.line + 1),
            column: None,
            header: None,
            problem: "expected result rows after the header, found none".into(),
        });
    }
    let header_width = header_row.cells.len();
    let long = rows.iter().all(|row| row.cells.len() <= header_width) && {
        let mut seen = std::collections::HashSet::new();
        let mut repeated = false;
        for row in rows {
            repeated |= !seen.insert(territory(&header, row)?);
        }
        repeated
    };
    let layout = if long {
        Layout::Long
    } else {
        Layout::Wide {
            block: header.block.len(),
        }
    };
    let mut territories: Vec<TerritoryResult> = Vec::new();
    let mut index: HashMap<TerritoryKey, usize> = HashMap::new();
    for row in rows {
        let result = read_row(&header, row, layout)?;
        match index.get(&result.territory) {
            Some(&at) if long => {
                let first = &mut territories[at];
                for (fixed, value, first_value) in [
                    (Fixed::Inscrits, result.inscrits, first.inscrits),
                    (Fixed::Votants, result.votants, first.votants),
                    (Fixed::Exprimes, result.exprimes, first.exprimes),
                ] {
                    if value != first_value {
                        let column = header.fixed[&fixed];
                        return Err(cell_error(
                            &header,
                            row,
                            column,
                            format!(
                                "expected {first_value} as on line {} for the same territory, \
                                 found {value}",
                                first.line
                            ),
                        ));
                    }
                }
                first.candidates.extend(result.candidates);
            }
            Some(&at) => {
                return Err(LayoutError {
                    line: Some(row.line),
                    column: None,
                    header: None,
                    problem: format!(
                        "territory {} was already given on line {}",
                        result.territory, territories[at].line
                    ),
                });
            }
            None => {
                index.insert(result.territory.clone(), territories.len());
                territories.push(result);
            }
        }
    }
    Ok(ResultsFile {
        format: grid.format,
        encoding: grid.encoding,
        layout,
        level: header.level,
        territories,
    })
}

fn cell_error(header: &Header, row: &Row, column: usize, problem: String) -> LayoutError {
    LayoutError {
        line: Some(row.line),
        column: Some(column + 1),
        header: header.names.get(column).filter(|n| !n.is_empty()).cloned(),
        problem,
    }
}

fn cell(row: &Row, column: usize) -> &str {
    row.cells.get(column).unwrap_or("")
}

fn fixed_cell<'r>(header: &Header, row: &'r Row, field: Fixed) -> Option<(usize, &'r str)> {
    header
        .fixed
        .get(&field)
        .map(|&column| (column, cell(row, column)))
}

/// A vote count: digits, possibly grouped by spaces ("1 454").
fn count(header: &Header, row: &Row, column: usize) -> Result<i64, LayoutError> {
    let text = cell(row, column);
    // Most counts are plain digits: parsed without building a copy.
    if !text.is_empty()
        && text.bytes().all(|b| b.is_ascii_digit())
        && let Ok(number) = text.parse()
    {
        return Ok(number);
    }
    let digits: String = text
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}'))
        .collect();
    if !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && let Ok(number) = digits.parse()
    {
        return Ok(number);
    }
    let found = if text.is_empty() {
        "nothing".to_owned()
    } else {
        format!("{text:?}")
    };
    Err(cell_error(
        header,
        row,
        column,
        format!("expected a whole number, found {found}"),
    ))
}

fn code_error(
    header: &Header,
    row: &Row,
    column: usize,
    error: territory_codes::CodeError,
) -> LayoutError {
    cell_error(header, row, column, error.to_string())
}

fn commune(header: &Header, row: &Row) -> Result<CommuneCode, LayoutError> {
    let (column, value) = fixed_cell(header, row, Fixed::Commune).unwrap_or((0, ""));
    let parsed = match fixed_cell(header, row, Fixed::Departement) {
        Some((_, departement)) if value.len() <= 3 => CommuneCode::from_parts(departement, value),
        _ => CommuneCode::parse(value),
    };
    parsed.map_err(|e| code_error(header, row, column, e))
}

fn circonscription(header: &Header, row: &Row) -> Result<Option<CircoCode>, LayoutError> {
    fixed_cell(header, row, Fixed::Circonscription)
        .map(|(column, value)| circonscription_at(header, row, column, value))
        .transpose()
}

fn circonscription_at(
    header: &Header,
    row: &Row,
    column: usize,
    value: &str,
) -> Result<CircoCode, LayoutError> {
    let parsed = match fixed_cell(header, row, Fixed::Departement) {
        Some((_, departement)) if value.len() <= 2 => CircoCode::from_parts(departement, value),
        _ => CircoCode::parse(value),
    };
    parsed.map_err(|e| code_error(header, row, column, e))
}

fn territory(header: &Header, row: &Row) -> Result<TerritoryKey, LayoutError> {
    Ok(match header.level {
        Level::Bureau => {
            let commune = commune(header, row)?;
            let (column, number) = fixed_cell(header, row, Fixed::Bureau).unwrap_or((0, ""));
            TerritoryKey::Bureau(
                BureauCode::from_parts(commune.as_str(), number)
                    .map_err(|e| code_error(header, row, column, e))?,
            )
        }
        Level::Commune => TerritoryKey::Commune(commune(header, row)?),
        Level::Circonscription => {
            let (column, value) =
                fixed_cell(header, row, Fixed::Circonscription).unwrap_or((0, ""));
            TerritoryKey::Circonscription(circonscription_at(header, row, column, value)?)
        }
        Level::Departement => {
            let (column, value) = fixed_cell(header, row, Fixed::Departement).unwrap_or((0, ""));
            TerritoryKey::Departement(
                DepartementCode::parse(value).map_err(|e| code_error(header, row, column, e))?,
            )
        }
        Level::Region => {
            let (column, value) = fixed_cell(header, row, Fixed::Region).unwrap_or((0, ""));
            TerritoryKey::Region(
                RegionCode::parse(value).map_err(|e| code_error(header, row, column, e))?,
            )
        }
        Level::National => TerritoryKey::National,
    })
}

fn read_row(header: &Header, row: &Row, layout: Layout) -> Result<TerritoryResult, LayoutError> {
    let width = header.block.len();
    let cells = row.cells.len();
    if cells <= header.start {
        return Err(LayoutError {
            line: Some(row.line),
            column: None,
            header: None,
            problem: format!(
                "expected {} fixed columns and at least one candidate block of {width}, \
                 found {cells} columns: the row is truncated",
                header.start
            ),
        });
    }
    let territory = territory(header, row)?;
    let circonscription = match header.level {
        Level::Bureau | Level::Commune => circonscription(header, row)?,
        _ => None,
    };
    let number = |field: Fixed| -> Result<Option<i64>, LayoutError> {
        header
            .fixed
            .get(&field)
            .map(|&column| count(header, row, column))
            .transpose()
    };
    let inscrits = number(Fixed::Inscrits)?.unwrap_or_default();
    let votants = number(Fixed::Votants)?.unwrap_or_default();
    let exprimes = number(Fixed::Exprimes)?.unwrap_or_default();
    let abstentions = number(Fixed::Abstentions)?.unwrap_or(inscrits - votants);
    let blancs = number(Fixed::Blancs)?;
    let nuls = number(Fixed::Nuls)?;

    let blocks = match layout {
        Layout::Long => vec![header.start],
        Layout::Wide { .. } => {
            let rest = (cells - header.start) % width;
            if rest != 0 {
                let missing = &header.block[rest..];
                if missing.iter().any(|field| *field != Field::Elected) {
                    let column = header.start + rest;
                    return Err(LayoutError {
                        line: Some(row.line),
                        column: Some(cells + 1),
                        header: header.names.get(column).filter(|n| !n.is_empty()).cloned(),
                        problem: format!(
                            "the last candidate block stops after {rest} of its {width} columns"
                        ),
                    });
                }
            }
            (header.start..cells).step_by(width).collect()
        }
    };
    let mut candidates = Vec::with_capacity(blocks.len());
    for start in blocks {
        if (start..start + width).all(|column| cell(row, column).is_empty()) {
            continue;
        }
        candidates.push(read_candidate(header, row, start)?);
    }
    Ok(TerritoryResult {
        territory,
        circonscription,
        line: row.line,
        inscrits,
        abstentions,
        votants,
        blancs,
        nuls,
        exprimes,
        candidates,
    })
}

fn read_candidate(header: &Header, row: &Row, start: usize) -> Result<Candidate, LayoutError> {
    let mut candidate = Candidate {
        panel: None,
        sex: None,
        last_name: String::new(),
        first_name: String::new(),
        nuance: None,
        votes: 0,
        elected: None,
    };
    for (offset, field) in header.block.iter().enumerate() {
        let column = start + offset;
        let text = cell(row, column);
        match field {
            Field::Panel if !text.is_empty() => {
                let panel = count(header, row, column)?;
                candidate.panel = Some(u32::try_from(panel).map_err(|_| {
                    cell_error(
                        header,
                        row,
                        column,
                        format!("panel number {panel} is too large"),
                    )
                })?);
            }
            Field::Sex if !text.is_empty() => {
                // "M" and "F", as they mostly come, are taken without folding.
                let sex = match text {
                    "M" | "F" => Some(text),
                    _ => match fold(text).as_str() {
                        "m" | "masculin" | "h" | "homme" => Some("M"),
                        "f" | "feminin" | "mme" | "femme" => Some("F"),
                        _ => None,
                    },
                };
                let Some(sex) = sex else {
                    return Err(cell_error(
                        header,
                        row,
                        column,
                        format!("expected M, F, MASCULIN, FEMININ, M. or MME, found {text:?}"),
                    ));
                };
                candidate.sex = Some(sex.to_owned());
            }
            Field::LastName => {
                if text.is_empty() {
                    return Err(cell_error(
                        header,
                        row,
                        column,
                        "expected the candidate's name, found nothing".into(),
                    ));
                }
                candidate.last_name = text.to_owned();
            }
            Field::FirstName => candidate.first_name = text.to_owned(),
            Field::Nuance if !text.is_empty() => candidate.nuance = Some(text.to_owned()),
            Field::Votes => candidate.votes = count(header, row, column)?,
            Field::Elected => {
                candidate.elected = Some(match fold(text).as_str() {
                    "elu" | "elue" | "oui" | "true" | "1" => true,
                    "" | "non" | "false" | "0" | "qualift2" | "ballottage" => false,
                    _ => {
                        return Err(cell_error(
                            header,
                            row,
                            column,
                            format!(
                                "expected Elu, OUI, NON, QUALIF T2, true, false or nothing, found {text:?}"
                            ),
                        ));
                    }
                });
            }
            _ => {}
        }
    }
    Ok(candidate)
}
