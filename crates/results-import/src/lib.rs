//! The Interior ministry's election results files, read as published.
//!
//! A file is a grid of cells (an xlsx sheet, or delimited text in UTF-8, Windows-1252 or the
//! DOS code page 850) whose first row names the columns. The layout is recognised from those
//! names, never from the file name:
//!
//! - **wide**: fixed columns (codes, inscrits, votants, …) then one block of columns per
//!   candidate or list, as many blocks as the row needs ("N°Panneau;Sexe;Nom;…" named once,
//!   or numbered "Voix 1", "Voix 2", …);
//! - **long**: one row per candidate, the territory's figures repeated on each row.
//!
//! The level (bureau de vote, commune, circonscription, département, région, national) follows
//! from the code columns present. Territory codes go through `territory-codes`, so the result
//! carries canonical codes only.
//!
//! Invariant: no input makes this crate panic; every refusal names the line and, where there is
//! one, the column (1-based) and what was expected. `parse_bytes` is the fuzzing entry point.

mod grid;
mod layout;

use std::fmt;

use territory_codes::{BureauCode, CircoCode, CommuneCode, DepartementCode, RegionCode};

pub use grid::{Encoding, Format};
pub use layout::Layout;

/// A results file, parsed.
#[derive(Debug, Clone)]
pub struct ResultsFile {
    pub format: Format,
    pub encoding: Encoding,
    pub layout: Layout,
    pub level: Level,
    /// In file order.
    pub territories: Vec<TerritoryResult>,
}

impl ResultsFile {
    pub fn totals(&self) -> Totals {
        let mut totals = Totals::default();
        for territory in &self.territories {
            totals.inscrits += territory.inscrits;
            totals.votants += territory.votants;
            totals.exprimes += territory.exprimes;
        }
        totals
    }

    /// The number of candidate rows (a candidate counts once per territory).
    pub fn candidate_count(&self) -> usize {
        self.territories.iter().map(|t| t.candidates.len()).sum()
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    pub inscrits: i64,
    pub votants: i64,
    pub exprimes: i64,
}

/// The level of the territories of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Level {
    National,
    Region,
    Departement,
    Circonscription,
    Commune,
    Bureau,
}

impl Level {
    /// The name stored in the database and used in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::National => "national",
            Level::Region => "region",
            Level::Departement => "departement",
            Level::Circonscription => "circonscription",
            Level::Commune => "commune",
            Level::Bureau => "bureau",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The territory a row is about, in canonical form.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TerritoryKey {
    National,
    Region(RegionCode),
    Departement(DepartementCode),
    Circonscription(CircoCode),
    Commune(CommuneCode),
    Bureau(BureauCode),
}

impl fmt::Display for TerritoryKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TerritoryKey::National => f.write_str("FR"),
            TerritoryKey::Region(code) => code.fmt(f),
            TerritoryKey::Departement(code) => code.fmt(f),
            TerritoryKey::Circonscription(code) => code.fmt(f),
            TerritoryKey::Commune(code) => code.fmt(f),
            TerritoryKey::Bureau(code) => code.fmt(f),
        }
    }
}

/// One territory's figures and its candidates' votes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TerritoryResult {
    pub territory: TerritoryKey,
    /// The circonscription a bureau or commune row names, when the file has that column.
    pub circonscription: Option<CircoCode>,
    /// The (first) line of the file this territory comes from.
    pub line: usize,
    pub inscrits: i64,
    pub abstentions: i64,
    pub votants: i64,
    pub blancs: Option<i64>,
    pub nuls: Option<i64>,
    pub exprimes: i64,
    pub candidates: Vec<Candidate>,
}

/// A candidate (or a list) in one territory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// The number of the candidate's panel (N°Panneau).
    pub panel: Option<u32>,
    /// "M" or "F".
    pub sex: Option<String>,
    pub last_name: String,
    pub first_name: String,
    /// The ministry's nuance code (ENS, RN, …); the 2022 presidential file has none.
    pub nuance: Option<String>,
    pub votes: i64,
    /// Elected (or qualified for the 2nd round is not elected); `None` when the file does not
    /// say.
    pub elected: Option<bool>,
}

/// Why a file was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{source_name}{}: {problem}", position(*.line, *.column, .header.as_deref()))]
pub struct ParseError {
    pub source_name: String,
    /// 1-based; `None` for a problem with the whole file.
    pub line: Option<usize>,
    /// 1-based.
    pub column: Option<usize>,
    /// The column's name in the header row.
    pub header: Option<String>,
    pub problem: String,
}

fn position(line: Option<usize>, column: Option<usize>, header: Option<&str>) -> String {
    let mut text = String::new();
    if let Some(line) = line {
        text += &format!(", line {line}");
    }
    if let Some(column) = column {
        text += &format!(", column {column}");
    }
    if let Some(header) = header {
        text += &format!(" ({header})");
    }
    text
}

/// Parses a results file from its bytes; `source_name` names it in errors.
pub fn parse_bytes(source_name: &str, bytes: &[u8]) -> Result<ResultsFile, ParseError> {
    let fail = |line: Option<usize>, column: Option<usize>, problem: String| ParseError {
        source_name: source_name.to_owned(),
        line,
        column,
        header: None,
        problem,
    };
    let grid = grid::read(bytes).map_err(|e| fail(e.line, e.column, e.problem))?;
    layout::parse(&grid).map_err(|e| ParseError {
        source_name: source_name.to_owned(),
        line: e.line,
        column: e.column,
        header: e.header,
        problem: e.problem,
    })
}
