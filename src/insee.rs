//! INSEE socio-economic indicators per circonscription législative: the import of the published
//! file and its dictionary, and the curated profile that a territory's fiche shows next to the
//! national figures.
//!
//! The source is INSEE's "Indicateurs socio-économiques des circonscriptions législatives"
//! (2022 edition, data.gouv.fr, Licence Ouverte): one UTF-8 CSV row per circonscription with
//! 122 indicators (population légale 2019 and 2013, ages, activity, occupations, diplomas,
//! housing and mobility from the 2018 census, living standards and poverty from Filosofi 2019,
//! access to services), and a second CSV, the dictionary (`key,label,source`, after a title
//! line). Its first data row, "00000", is the national reference: France without Mayotte for
//! census figures, metropolitan France for Filosofi figures, and an *average circonscription*
//! for counts (population, inscrits). The 11 circonscriptions of the French abroad are not in
//! the file. A cell is a decimal number, "nd" (not available: Filosofi overseas, for instance)
//! or empty (Paris has no "other commune of the same département"); missing cells are not
//! stored.
//!
//! The import reads and checks both files entirely before writing anything, then replaces the
//! stored data set in one transaction: a bad file changes nothing, and the same files imported
//! twice change nothing. Rows are stored under the canonical circonscription code (`34-01`) and
//! the national row under [`NATIONAL_CODE`].

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::{self, Write as _};
use std::path::{Path, PathBuf};

use serde::Serialize;
use sqlx::{Any, AnyPool, AssertSqlSafe, Transaction};
use territory_codes::{CircoCode, TerritoryCode};

use crate::french;
use crate::store::{Value, insert_batched};
use crate::territories::Kind;

/// Attribution to show wherever these figures are shown (the dictionary gives each column's
/// own source: census 2018 for most shares, population légale 2019 and 2013, Filosofi 2019 for
/// incomes and poverty, the Interior ministry for the 2022 inscrits).
pub const SOURCE: &str = "Source : Insee, recensements de la population 2018 et 2019 et \
                          Filosofi 2019 ; ministère de l'Intérieur (inscrits 2022) — Licence Ouverte";

/// The indicators file, relative to the open-data folder.
pub const DATA_CSV: &str = "reference/insee-indicateurs-circonscriptions-legislatives-2022.csv";

/// Its dictionary, relative to the open-data folder.
pub const VARIABLES_CSV: &str =
    "reference/insee-indicateurs-circonscriptions-legislatives-2022.variables.csv";

/// The `territory_code` under which the file's national reference row is stored.
pub const NATIONAL_CODE: &str = "FR";

/// How the file writes its national reference row.
const FILE_NATIONAL_CODE: &str = "00000";

/// The two columns before the indicators.
const CODE_HEADER: &str = "circo";
const NAME_HEADER: &str = "Nom de la circonscription";

// ----------------------------------------------------------------------------------------------
// Errors and report

/// A refused input: which file, where in it (1-based), and what was expected and found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{}: {problem}", file.display(), position(*.line, *.column, .header.as_deref()))]
pub struct InputError {
    pub file: PathBuf,
    /// `None` for a problem with the whole file.
    pub line: Option<usize>,
    pub column: Option<usize>,
    /// The column's name in the header row.
    pub header: Option<String>,
    pub problem: String,
}

fn position(line: Option<usize>, column: Option<usize>, header: Option<&str>) -> String {
    let mut text = String::new();
    if let Some(line) = line {
        text += &format!(": line {line}");
    }
    if let Some(column) = column {
        text += &format!(", column {column}");
    }
    if let Some(header) = header {
        text += &format!(" ({header})");
    }
    text
}

impl InputError {
    fn whole_file(file: &Path, problem: impl fmt::Display) -> Self {
        Self {
            file: file.to_owned(),
            line: None,
            column: None,
            header: None,
            problem: problem.to_string(),
        }
    }

    fn at(
        file: &Path,
        line: usize,
        column: Option<usize>,
        header: Option<&str>,
        problem: impl fmt::Display,
    ) -> Self {
        Self {
            file: file.to_owned(),
            line: Some(line),
            column,
            header: header.map(str::to_owned),
            problem: problem.to_string(),
        }
    }
}

/// Why an import failed: bad input (nothing was written), or the database.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    Input(#[from] InputError),
    #[error("failed to store the INSEE indicators: {0}")]
    Database(#[from] sqlx::Error),
}

/// What an import read and what it changed.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    pub files: Vec<String>,
    /// Indicator columns (the code and name columns excluded).
    pub variables: usize,
    /// Circonscription rows (the national row excluded).
    pub circonscriptions: usize,
    /// Values read, the national row's included.
    pub values: usize,
    /// Cells given as "nd" or left empty, which are not stored.
    pub missing: usize,
    /// Stored values that were new, different, identical, or no longer in the file (deleted).
    pub new: usize,
    pub changed: usize,
    pub unchanged: usize,
    pub removed: usize,
    /// Dictionary rows written because they were new or changed, and deleted.
    pub variables_written: usize,
    pub variables_removed: usize,
    /// Circonscriptions of the file that the territorial reference does not know (all of them
    /// when territories are not imported; 978-01 otherwise, see the migration).
    pub unknown_circonscriptions: Vec<String>,
}

impl ImportReport {
    /// Whether the import wrote anything.
    pub fn changed_anything(&self) -> bool {
        self.new + self.changed + self.removed + self.variables_written + self.variables_removed > 0
    }
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "fichiers lus : {}", self.files.join(", "))?;
        writeln!(
            f,
            "{} indicateurs, {} circonscriptions + la ligne nationale ; {} valeurs, {} cases \
             « nd » ou vides",
            self.variables, self.circonscriptions, self.values, self.missing
        )?;
        writeln!(
            f,
            "valeurs : {} nouvelles, {} modifiées, {} inchangées, {} supprimées ; \
             dictionnaire : {} écrites, {} supprimées",
            self.new,
            self.changed,
            self.unchanged,
            self.removed,
            self.variables_written,
            self.variables_removed
        )?;
        if !self.unknown_circonscriptions.is_empty() {
            let sample: Vec<&str> = self
                .unknown_circonscriptions
                .iter()
                .take(10)
                .map(String::as_str)
                .collect();
            writeln!(
                f,
                "{} circonscriptions absentes du référentiel des territoires (ex. {})",
                self.unknown_circonscriptions.len(),
                sample.join(", ")
            )?;
        }
        write!(
            f,
            "{}",
            if self.changed_anything() {
                "importé"
            } else {
                "déjà importé : rien n'a changé"
            }
        )
    }
}

// ----------------------------------------------------------------------------------------------
// Parsing (no I/O)

/// One indicator column, described by the dictionary.
#[derive(Debug, Clone, PartialEq)]
struct Variable {
    key: String,
    label: String,
    source: String,
}

/// Both files, checked and combined.
#[derive(Debug, Default)]
struct Dataset {
    /// In the file's column order.
    variables: Vec<Variable>,
    /// (territory code, key) → value.
    values: BTreeMap<(String, String), f64>,
    circonscriptions: usize,
    missing: usize,
}

/// A CSV file as records with the line each starts on.
struct Records {
    records: Vec<(usize, csv::StringRecord)>,
}

/// Reads delimited UTF-8 text (a byte-order mark is skipped; the separator is ',' unless the
/// first line holds more ';').
fn read_records(file: &Path, bytes: &[u8]) -> Result<Records, InputError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let first_line = bytes.split(|b| *b == b'\n').next().unwrap_or_default();
    let count = |wanted: u8| first_line.iter().filter(|b| **b == wanted).count();
    let delimiter = if count(b';') > count(b',') {
        b';'
    } else {
        b','
    };
    // The csv crate counts lines of CRLF files and quoted line breaks its own way: lines are
    // counted from byte offsets instead. A record of a CRLF file starts at the "\n" that ends
    // the line before, hence the byte itself counted.
    let line_at = |byte: u64| {
        let end = usize::try_from(byte)
            .unwrap_or(usize::MAX)
            .saturating_add(1)
            .min(bytes.len());
        bytes[..end].iter().filter(|b| **b == b'\n').count() + 1
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(bytes);
    let mut records = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|error| {
            let line = error.position().map_or(1, |p| line_at(p.byte()));
            match error.kind() {
                csv::ErrorKind::Utf8 { err, .. } => InputError::at(
                    file,
                    line,
                    Some(err.field() + 1),
                    None,
                    "expected UTF-8 text, found bytes that are not (is the file in Latin-1?)",
                ),
                _ => InputError::at(file, line, None, None, error),
            }
        })?;
        let line = record.position().map_or(1, |p| line_at(p.byte()));
        records.push((line, record));
    }
    Ok(Records { records })
}

/// A cell's value: `None` for "nd" and empty cells. Decimal point or decimal comma; nothing
/// else (no exponent, no "inf").
fn parse_number(text: &str) -> Result<Option<f64>, String> {
    let text = text.trim();
    if text.is_empty() || text.eq_ignore_ascii_case("nd") {
        return Ok(None);
    }
    let refuse = || {
        format!("expected a decimal number such as 41.1 or 41,1, \"nd\" or nothing, found {text:?}")
    };
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    let digits = unsigned.bytes().filter(u8::is_ascii_digit).count();
    let separators = unsigned
        .bytes()
        .filter(|b| matches!(b, b'.' | b','))
        .count();
    if digits == 0 || separators > 1 || digits + separators != unsigned.len() {
        return Err(refuse());
    }
    match text.replace(',', ".").parse::<f64>() {
        Ok(value) if value.is_finite() => Ok(Some(value)),
        _ => Err(refuse()),
    }
}

/// The dictionary: key → (label, source), in the file's order. Line 1 may be a title (a first
/// cell and nothing else).
fn parse_variables(file: &Path, bytes: &[u8]) -> Result<Vec<(usize, Variable)>, InputError> {
    const FIELDS: [&str; 3] = ["key", "label", "source"];
    let records = read_records(file, bytes)?;
    let mut variables: Vec<(usize, Variable)> = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (index, (line, record)) in records.records.iter().enumerate() {
        let line = *line;
        let title = index == 0 && record.iter().skip(1).all(|cell| cell.trim().is_empty());
        if title {
            continue;
        }
        if record.len() != FIELDS.len() {
            return Err(InputError::at(
                file,
                line,
                Some(record.len().min(FIELDS.len()) + 1),
                None,
                format_args!(
                    "expected {} fields (variable, label, source), found {}",
                    FIELDS.len(),
                    record.len()
                ),
            ));
        }
        let field = |column: usize| record.get(column).unwrap_or_default();
        let key = field(0).trim().to_owned();
        let label = field(1).split_whitespace().collect::<Vec<_>>().join(" ");
        let source = field(2).split_whitespace().collect::<Vec<_>>().join(" ");
        for (column, value) in [(0, &key), (1, &label)] {
            if value.is_empty() {
                return Err(InputError::at(
                    file,
                    line,
                    Some(column + 1),
                    None,
                    format_args!("expected the variable's {}, found nothing", FIELDS[column]),
                ));
            }
        }
        if let Some(first) = seen.insert(key.clone(), line) {
            return Err(InputError::at(
                file,
                line,
                Some(1),
                None,
                format_args!(
                    "expected each variable once, found {key:?} again (first on line {first})"
                ),
            ));
        }
        variables.push((line, Variable { key, label, source }));
    }
    if variables.is_empty() {
        return Err(InputError::whole_file(
            file,
            "expected variables (key, label, source), found none",
        ));
    }
    Ok(variables)
}

/// The indicators file, combined with its dictionary.
fn parse_data(
    file: &Path,
    bytes: &[u8],
    variables_file: &Path,
    dictionary: &[(usize, Variable)],
) -> Result<Dataset, InputError> {
    let records = read_records(file, bytes)?;
    let Some((header_line, header)) = records.records.first() else {
        return Err(InputError::whole_file(
            file,
            "expected a header row, found an empty file",
        ));
    };
    let header_line = *header_line;
    let headers: Vec<String> = header.iter().map(|h| h.trim().to_owned()).collect();
    for (column, expected) in [CODE_HEADER, NAME_HEADER].into_iter().enumerate() {
        let found = headers.get(column).map(String::as_str).unwrap_or_default();
        if found != expected {
            return Err(InputError::at(
                file,
                header_line,
                Some(column + 1),
                None,
                format_args!("expected the header {expected:?}, found {found:?}"),
            ));
        }
    }
    if headers.len() < 3 {
        return Err(InputError::at(
            file,
            header_line,
            Some(3),
            None,
            "expected indicator columns after the name, found none",
        ));
    }
    let described: HashMap<&str, &Variable> = dictionary
        .iter()
        .map(|(_, variable)| (variable.key.as_str(), variable))
        .collect();
    let variables_name = variables_file.file_name().map_or_else(
        || variables_file.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let mut dataset = Dataset::default();
    let mut columns: HashMap<&str, usize> = HashMap::new();
    for (index, key) in headers.iter().enumerate().skip(2) {
        let column = index + 1;
        let at = |problem: String| InputError::at(file, header_line, Some(column), None, problem);
        if key.is_empty() {
            return Err(at("expected an indicator name, found nothing".into()));
        }
        if let Some(first) = columns.insert(key, column) {
            return Err(at(format!(
                "expected each indicator once, found {key:?} again (first in column {first})"
            )));
        }
        let Some(variable) = described.get(key.as_str()) else {
            return Err(at(format!(
                "expected a column described in {variables_name}, found {key:?}"
            )));
        };
        dataset.variables.push((*variable).clone());
    }

    let mut lines_by_code: HashMap<String, usize> = HashMap::new();
    for (line, record) in records.records.iter().skip(1) {
        let line = *line;
        if record.len() != headers.len() {
            let column = record.len().min(headers.len()) + 1;
            return Err(InputError::at(
                file,
                line,
                Some(column),
                headers.get(column - 1).map(String::as_str),
                format_args!("expected {} fields, found {}", headers.len(), record.len()),
            ));
        }
        let raw_code = record.get(0).unwrap_or_default().trim();
        let code = if raw_code == FILE_NATIONAL_CODE {
            NATIONAL_CODE.to_owned()
        } else {
            CircoCode::parse(raw_code)
                .map_err(|e| InputError::at(file, line, Some(1), Some(CODE_HEADER), e))?
                .to_string()
        };
        if let Some(first) = lines_by_code.insert(code.clone(), line) {
            return Err(InputError::at(
                file,
                line,
                Some(1),
                Some(CODE_HEADER),
                format_args!(
                    "expected each circonscription once, found {code} again (first on line {first})"
                ),
            ));
        }
        if code != NATIONAL_CODE {
            dataset.circonscriptions += 1;
        }
        for (index, key) in headers.iter().enumerate().skip(2) {
            let cell = record.get(index).unwrap_or_default();
            match parse_number(cell) {
                Ok(Some(value)) => {
                    dataset.values.insert((code.clone(), key.clone()), value);
                }
                Ok(None) => dataset.missing += 1,
                Err(problem) => {
                    return Err(InputError::at(
                        file,
                        line,
                        Some(index + 1),
                        Some(key),
                        problem,
                    ));
                }
            }
        }
    }
    if !lines_by_code.contains_key(NATIONAL_CODE) {
        return Err(InputError::whole_file(
            file,
            format_args!("expected the national reference row {FILE_NATIONAL_CODE:?}, found none"),
        ));
    }
    Ok(dataset)
}

fn read_file(path: &Path) -> Result<Vec<u8>, InputError> {
    std::fs::read(path).map_err(|e| InputError::whole_file(path, format_args!("cannot read: {e}")))
}

// ----------------------------------------------------------------------------------------------
// Import

/// Reads and checks the indicators file and its dictionary, then replaces the stored data set
/// with them in one transaction.
pub async fn import(
    pool: &AnyPool,
    data: &Path,
    variables: &Path,
) -> Result<ImportReport, ImportError> {
    let dictionary = parse_variables(variables, &read_file(variables)?)?;
    let dataset = parse_data(data, &read_file(data)?, variables, &dictionary)?;
    let mut report = ImportReport {
        files: vec![data.display().to_string(), variables.display().to_string()],
        variables: dataset.variables.len(),
        circonscriptions: dataset.circonscriptions,
        values: dataset.values.len(),
        missing: dataset.missing,
        ..ImportReport::default()
    };
    let mut tx = pool.begin().await?;
    write(&mut tx, &dataset, &mut report).await?;
    tx.commit().await?;

    let known: HashSet<String> =
        sqlx::query_scalar("SELECT code FROM territories WHERE kind = 'circonscription'")
            .fetch_all(pool)
            .await?
            .into_iter()
            .collect();
    let mut codes: Vec<&String> = dataset.values.keys().map(|(code, _)| code).collect();
    codes.dedup();
    report.unknown_circonscriptions = codes
        .into_iter()
        .filter(|code| *code != NATIONAL_CODE && !known.contains(*code))
        .cloned()
        .collect();
    Ok(report)
}

/// Writes only what differs from the stored data set, and deletes what the file no longer has.
async fn write(
    tx: &mut Transaction<'_, Any>,
    dataset: &Dataset,
    report: &mut ImportReport,
) -> Result<(), sqlx::Error> {
    let stored_variables: HashMap<String, (String, String, i64)> =
        sqlx::query_as::<_, (String, String, String, i64)>(
            "SELECT key, label, source, position FROM insee_variables",
        )
        .fetch_all(&mut **tx)
        .await?
        .into_iter()
        .map(|(key, label, source, position)| (key, (label, source, position)))
        .collect();
    let mut variable_rows = Vec::new();
    for (position, variable) in dataset.variables.iter().enumerate() {
        let position = position as i64 + 1;
        let wanted = (variable.label.clone(), variable.source.clone(), position);
        if stored_variables.get(&variable.key) != Some(&wanted) {
            variable_rows.push(vec![
                Value::Text(variable.key.clone()),
                Value::Text(variable.label.clone()),
                Value::Text(variable.source.clone()),
                Value::Int(Some(position)),
            ]);
        }
    }
    report.variables_written = variable_rows.len();
    insert_batched(
        tx,
        "INSERT INTO insee_variables (key, label, source, position) VALUES ",
        " ON CONFLICT (key) DO UPDATE SET label = excluded.label, source = excluded.source, \
         position = excluded.position",
        variable_rows,
    )
    .await?;

    let stored: HashMap<(String, String), f64> = sqlx::query_as::<_, (String, String, f64)>(
        "SELECT territory_code, key, value FROM insee_indicators",
    )
    .fetch_all(&mut **tx)
    .await?
    .into_iter()
    .map(|(code, key, value)| ((code, key), value))
    .collect();
    let mut upserts: Vec<(&str, &str, f64)> = Vec::new();
    for ((code, key), value) in &dataset.values {
        match stored.get(&(code.clone(), key.clone())) {
            None => report.new += 1,
            Some(old) if old == value => {
                report.unchanged += 1;
                continue;
            }
            Some(_) => report.changed += 1,
        }
        upserts.push((code.as_str(), key.as_str(), *value));
    }
    let mut removed: Vec<(&str, &str)> = stored
        .keys()
        .filter(|cell| !dataset.values.contains_key(*cell))
        .map(|(code, key)| (code.as_str(), key.as_str()))
        .collect();
    removed.sort_unstable();
    report.removed = removed.len();
    upsert_values(tx, &upserts).await?;
    delete_values(tx, &removed).await?;

    let keys: HashSet<&str> = dataset.variables.iter().map(|v| v.key.as_str()).collect();
    for key in stored_variables.keys() {
        if !keys.contains(key.as_str()) {
            sqlx::query("DELETE FROM insee_indicators WHERE key = $1")
                .bind(key)
                .execute(&mut **tx)
                .await?;
            sqlx::query("DELETE FROM insee_variables WHERE key = $1")
                .bind(key)
                .execute(&mut **tx)
                .await?;
            report.variables_removed += 1;
        }
    }
    Ok(())
}

/// Rows per statement (3 or 2 parameters each). sqlx binds SQLite parameters by name, so a
/// statement costs there the square of its parameters (see `store::insert_batched`); about 200
/// parameters keeps SQLite fast while PostgreSQL still gets few round trips (about 1,000 for the
/// whole file, half a second). One size for both engines: only `store` knows which is behind.
const ROWS_PER_STATEMENT: usize = 66;

async fn upsert_values(
    tx: &mut Transaction<'_, Any>,
    rows: &[(&str, &str, f64)],
) -> Result<(), sqlx::Error> {
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let mut sql =
            String::from("INSERT INTO insee_indicators (territory_code, key, value) VALUES ");
        for index in 0..chunk.len() {
            if index > 0 {
                sql.push(',');
            }
            let first = index * 3 + 1;
            let _ = write!(sql, "(${first},${},${})", first + 1, first + 2);
        }
        sql.push_str(" ON CONFLICT (territory_code, key) DO UPDATE SET value = excluded.value");
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for (code, key, value) in chunk {
            query = query.bind(*code).bind(*key).bind(*value);
        }
        query.execute(&mut **tx).await?;
    }
    Ok(())
}

async fn delete_values(
    tx: &mut Transaction<'_, Any>,
    cells: &[(&str, &str)],
) -> Result<(), sqlx::Error> {
    for chunk in cells.chunks(ROWS_PER_STATEMENT) {
        let mut sql = String::from("DELETE FROM insee_indicators WHERE ");
        for index in 0..chunk.len() {
            if index > 0 {
                sql.push_str(" OR ");
            }
            let first = index * 2 + 1;
            let _ = write!(sql, "(territory_code = ${first} AND key = ${})", first + 1);
        }
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for (code, key) in chunk {
            query = query.bind(*code).bind(*key);
        }
        query.execute(&mut **tx).await?;
    }
    Ok(())
}

// ----------------------------------------------------------------------------------------------
// Profile

/// How a line's value reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// People.
    Count,
    Percent,
    /// A yearly rate of change, in %.
    PercentPerYear,
    /// Euros per year.
    Euros,
    Years,
}

impl Unit {
    /// The value written the French way (see [`crate::french`]): "126 520", "17,1 %",
    /// "+1,7 % par an", "21 330 €", "41,1 ans".
    pub fn format(self, value: f64) -> String {
        const NBSP: char = '\u{a0}';
        match self {
            Unit::Count => french::number(value, 0),
            Unit::Percent => format!("{}{NBSP}%", french::number(value, 1)),
            Unit::PercentPerYear => {
                let sign = if value > 0.0 && french::number(value, 1) != "0,0" {
                    "+"
                } else {
                    ""
                };
                format!("{sign}{}{NBSP}% par an", french::number(value, 1))
            }
            Unit::Euros => format!("{}{NBSP}€", french::number(value, 0)),
            Unit::Years => format!("{}{NBSP}ans", french::number(value, 1)),
        }
    }
}

/// One indicator of the fiche.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Indicator {
    /// The file's column name, or [`UNEMPLOYMENT_RATE`].
    pub key: &'static str,
    /// French, short, for a table.
    pub label: &'static str,
    pub unit: Unit,
}

/// The census unemployment rate, derived: the file gives unemployed people (`actcho`) and
/// people in work (`actemp`) as shares of the *whole* population (its label "Part de la
/// population active au chômage" reads like a rate but is not: 6.2 nationally), so the rate is
/// `actcho / (actemp + actcho)` (13.3 % nationally, within 0.2 point given the file's rounding).
pub const UNEMPLOYMENT_RATE: &str = "taux_chomage";

const POPULATION: &str = "pop_légal_19";
const POPULATION_2013: &str = "pop_légal_13";
const POPULATION_CHANGE: &str = "tvar_pop";
const INSCRITS: &str = "Inscrit_22";
const UNEMPLOYED: &str = "actcho";
const EMPLOYED: &str = "actemp";

/// The indicators a campaign team reads first, in display order, with the file's exact keys:
///
/// - `pop_légal_19`: population municipale légale au 1er janvier 2019;
/// - `tvar_pop`: annual change of the population between 2013 and 2019, in %;
/// - `Inscrit_22`: people on the electoral rolls in April 2022 (Interior ministry);
/// - `age_moyen`: mean age (census 2018);
/// - [`UNEMPLOYMENT_RATE`]: derived from `actcho` and `actemp` (census 2018);
/// - `inactret`: retired people, as a share of the population;
/// - `act_cad`, `act_ouv`: cadres and ouvriers, as shares of the active population;
/// - `actdip_PEU`, `actdip_BAC3P`: active people with no or few diplomas, with a bac+3 or more;
/// - `nivvie_median_diff`: median living standard in euros per year (Filosofi 2019; the
///   dictionary's "(en %)" is a mistake);
/// - `tx_pauvrete60_diff`: poverty rate at 60 % of the median (Filosofi 2019);
/// - `proprio`: main residences occupied by their owner;
/// - `log_vac`: vacant dwellings, as a share of all dwellings.
pub const INDICATORS: &[Indicator] = &[
    Indicator {
        key: POPULATION,
        label: "Population (2019)",
        unit: Unit::Count,
    },
    Indicator {
        key: POPULATION_CHANGE,
        label: "Évolution de la population (2013-2019)",
        unit: Unit::PercentPerYear,
    },
    Indicator {
        key: INSCRITS,
        label: "Inscrits sur les listes électorales (2022)",
        unit: Unit::Count,
    },
    Indicator {
        key: "age_moyen",
        label: "Âge moyen",
        unit: Unit::Years,
    },
    Indicator {
        key: UNEMPLOYMENT_RATE,
        label: "Taux de chômage (recensement)",
        unit: Unit::Percent,
    },
    Indicator {
        key: "inactret",
        label: "Retraités (part de la population)",
        unit: Unit::Percent,
    },
    Indicator {
        key: "act_cad",
        label: "Cadres (part des actifs)",
        unit: Unit::Percent,
    },
    Indicator {
        key: "act_ouv",
        label: "Ouvriers (part des actifs)",
        unit: Unit::Percent,
    },
    Indicator {
        key: "actdip_PEU",
        label: "Actifs sans diplôme ou peu diplômés",
        unit: Unit::Percent,
    },
    Indicator {
        key: "actdip_BAC3P",
        label: "Actifs diplômés bac+3 ou plus",
        unit: Unit::Percent,
    },
    Indicator {
        key: "nivvie_median_diff",
        label: "Niveau de vie médian (par an)",
        unit: Unit::Euros,
    },
    Indicator {
        key: "tx_pauvrete60_diff",
        label: "Taux de pauvreté",
        unit: Unit::Percent,
    },
    Indicator {
        key: "proprio",
        label: "Ménages propriétaires de leur logement",
        unit: Unit::Percent,
    },
    Indicator {
        key: "log_vac",
        label: "Logements vacants",
        unit: Unit::Percent,
    },
];

/// Counts, summed over circonscriptions rather than averaged.
const SUMMED: &[&str] = &[POPULATION, POPULATION_2013, INSCRITS];

/// One line of the fiche's table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndicatorLine {
    pub key: &'static str,
    pub label: &'static str,
    pub value: f64,
    /// The file's national reference: France's figure for rates (without Mayotte for census
    /// figures, metropolitan France for Filosofi ones) and, for counts, the population or
    /// inscrits of an *average circonscription*.
    pub national: f64,
    pub unit: Unit,
}

/// Where a profile's values come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Basis {
    /// The circonscription's own row.
    Circonscription,
    /// The circonscriptions of a département, collectivity or région: counts are summed, the
    /// population change is computed from the summed populations, and every other indicator
    /// is the mean of the circonscriptions' values weighted by their 2019 population. This is
    /// an approximation: shares of the active population or of dwellings should be weighted by
    /// actives or dwellings, and a mean of medians is not a median.
    WeightedMean { circonscriptions: usize },
    /// The circonscription of a commune (or of a bureau de vote or municipal arrondissement);
    /// `partial` when the commune is split and this is only the first of its circonscriptions.
    EnclosingCirconscription { partial: bool },
    /// No figures: nothing imported, no circonscription below or above, or an EPCI (which
    /// straddles circonscriptions).
    None,
}

/// The indicators of a territory next to the national reference.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Profile {
    /// The territory asked for.
    pub code: String,
    /// The territory the values are those of: `code` itself, or a commune's circonscription.
    pub source_code: String,
    pub source_name: String,
    pub basis: Basis,
    /// In the order of [`INDICATORS`]; an indicator the file lacks for this territory (poverty
    /// figures overseas) is left out. Empty when nothing is imported.
    pub lines: Vec<IndicatorLine>,
}

type Values = HashMap<String, f64>;

/// The curated indicators of `code` (canonical) next to the national reference.
pub async fn profile(pool: &AnyPool, code: &str) -> sqlx::Result<Profile> {
    let territory: Option<(String, String)> =
        sqlx::query_as("SELECT kind, name FROM territories WHERE code = $1")
            .bind(code)
            .fetch_optional(pool)
            .await?;
    let kind = match &territory {
        Some((kind, _)) => Kind::parse(kind),
        // Without the territorial reference, a circonscription still has its own row.
        None => matches!(
            TerritoryCode::parse(code),
            Ok(TerritoryCode::Circonscription(_))
        )
        .then_some(Kind::Circonscription),
    };
    let mut profile = Profile {
        code: code.to_owned(),
        source_code: code.to_owned(),
        source_name: territory.map_or_else(|| code.to_owned(), |(_, name)| name),
        basis: Basis::None,
        lines: Vec::new(),
    };
    let national = values_of(pool, NATIONAL_CODE).await?;
    if national.is_empty() {
        return Ok(profile);
    }
    let values = match kind {
        Some(Kind::Circonscription) => {
            profile.basis = Basis::Circonscription;
            values_of(pool, code).await?
        }
        Some(Kind::Departement | Kind::Collectivite | Kind::Region) => {
            let circonscriptions = circonscriptions_below(pool, code, kind).await?;
            if circonscriptions.is_empty() {
                return Ok(profile);
            }
            profile.basis = Basis::WeightedMean {
                circonscriptions: circonscriptions.len(),
            };
            aggregate(&circonscriptions)
        }
        Some(Kind::Commune | Kind::ArrondissementMunicipal | Kind::Bureau) => {
            let Some((circonscription, partial)) = enclosing_circonscription(pool, code).await?
            else {
                return Ok(profile);
            };
            profile.basis = Basis::EnclosingCirconscription { partial };
            profile.source_name =
                sqlx::query_scalar::<_, String>("SELECT name FROM territories WHERE code = $1")
                    .bind(&circonscription)
                    .fetch_optional(pool)
                    .await?
                    .unwrap_or_else(|| circonscription.clone());
            let values = values_of(pool, &circonscription).await?;
            profile.source_code = circonscription;
            values
        }
        Some(Kind::Epci) | None => return Ok(profile),
    };
    profile.lines = lines(&values, &national);
    Ok(profile)
}

async fn values_of(pool: &AnyPool, code: &str) -> sqlx::Result<Values> {
    Ok(sqlx::query_as::<_, (String, f64)>(
        "SELECT key, value FROM insee_indicators WHERE territory_code = $1",
    )
    .bind(code)
    .fetch_all(pool)
    .await?
    .into_iter()
    .collect())
}

/// The values of every circonscription wholly linked below a département or collectivity, or
/// below the départements of a région.
async fn circonscriptions_below(
    pool: &AnyPool,
    code: &str,
    kind: Option<Kind>,
) -> sqlx::Result<Vec<Values>> {
    // Only circonscriptions have rows in insee_indicators, so the links need no kind filter.
    let sql = if kind == Some(Kind::Region) {
        "SELECT i.territory_code, i.key, i.value FROM insee_indicators i \
         JOIN territory_links l ON l.child_code = i.territory_code AND l.partial = 0 \
         JOIN territory_links r ON r.child_code = l.parent_code AND r.partial = 0 \
         WHERE r.parent_code = $1"
    } else {
        "SELECT i.territory_code, i.key, i.value FROM insee_indicators i \
         JOIN territory_links l ON l.child_code = i.territory_code AND l.partial = 0 \
         WHERE l.parent_code = $1"
    };
    let rows: Vec<(String, String, f64)> = sqlx::query_as(sql).bind(code).fetch_all(pool).await?;
    let mut by_circonscription: BTreeMap<String, Values> = BTreeMap::new();
    for (circonscription, key, value) in rows {
        by_circonscription
            .entry(circonscription)
            .or_default()
            .insert(key, value);
    }
    Ok(by_circonscription.into_values().collect())
}

/// A commune's circonscription: the first whole link, else the first partial one; a
/// municipal arrondissement or bureau without one takes its commune's.
async fn enclosing_circonscription(
    pool: &AnyPool,
    code: &str,
) -> sqlx::Result<Option<(String, bool)>> {
    const DIRECT: &str = "SELECT l.parent_code, l.partial FROM territory_links l \
         JOIN territories t ON t.code = l.parent_code \
         WHERE l.child_code = $1 AND t.kind = 'circonscription' \
         ORDER BY l.partial, l.parent_code LIMIT 1";
    const THROUGH_PARENT: &str = "SELECT l.parent_code, l.partial FROM territory_links l \
         JOIN territories t ON t.code = l.parent_code \
         JOIN territory_links up ON up.parent_code = l.child_code AND up.partial = 0 \
         WHERE up.child_code = $1 AND t.kind = 'circonscription' \
         ORDER BY l.partial, l.parent_code LIMIT 1";
    for sql in [DIRECT, THROUGH_PARENT] {
        let found: Option<(String, i64)> =
            sqlx::query_as(sql).bind(code).fetch_optional(pool).await?;
        if let Some((circonscription, partial)) = found {
            return Ok(Some((circonscription, partial != 0)));
        }
    }
    Ok(None)
}

/// Counts summed, the population change from the summed populations, every other value
/// weighted by the 2019 population (see [`Basis::WeightedMean`]).
fn aggregate(circonscriptions: &[Values]) -> Values {
    let mut keys: Vec<&String> = circonscriptions.iter().flat_map(|c| c.keys()).collect();
    keys.sort_unstable();
    keys.dedup();
    let mut result = Values::new();
    for key in keys {
        let present = circonscriptions
            .iter()
            .filter_map(|c| c.get(key).map(|v| (c, *v)));
        if SUMMED.contains(&key.as_str()) {
            result.insert(key.clone(), present.map(|(_, v)| v).sum());
            continue;
        }
        let (mut total, mut weight) = (0.0, 0.0);
        for (circonscription, value) in present {
            if let Some(population) = circonscription.get(POPULATION) {
                total += value * population;
                weight += population;
            }
        }
        if weight > 0.0 {
            result.insert(key.clone(), total / weight);
        }
    }
    // The compound annual rate of the summed populations, computed as INSEE does for one
    // circonscription (1.7 for 34-01 from 114 075 to 126 520 in six years).
    let (mut now, mut before) = (0.0, 0.0);
    for circonscription in circonscriptions {
        if let (Some(p19), Some(p13)) = (
            circonscription.get(POPULATION),
            circonscription.get(POPULATION_2013),
        ) {
            now += p19;
            before += p13;
        }
    }
    if before > 0.0 {
        let rate = ((now / before).powf(1.0 / 6.0) - 1.0) * 100.0;
        result.insert(POPULATION_CHANGE.to_owned(), rate);
    }
    result
}

/// An indicator's value in `values`, deriving the unemployment rate.
fn indicator_value(values: &Values, key: &str) -> Option<f64> {
    if key == UNEMPLOYMENT_RATE {
        let unemployed = values.get(UNEMPLOYED)?;
        let active = values.get(EMPLOYED)? + unemployed;
        return (active > 0.0).then(|| unemployed / active * 100.0);
    }
    values.get(key).copied()
}

fn lines(values: &Values, national: &Values) -> Vec<IndicatorLine> {
    INDICATORS
        .iter()
        .filter_map(|indicator| {
            Some(IndicatorLine {
                key: indicator.key,
                label: indicator.label,
                value: indicator_value(values, indicator.key)?,
                national: indicator_value(national, indicator.key)?,
                unit: indicator.unit,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const VARIABLES: &str = "Liste et sources des variables ,,\r\n\
        circo,Code de la circonscription,code électoral\r\n\
        Nom de la circonscription,Nom,code électoral\r\n\
        pop_légal_19,Population  municipale légale ,\"Insee, recensement\"\r\n\
        age_moyen,âge moyen de la population,\"Insee, recensement\"\r\n\
        nivvie_median_diff,Niveau de vie médian (en %),Filosofi\r\n";

    const DATA: &str = "circo,Nom de la circonscription,pop_légal_19,age_moyen,nivvie_median_diff\r\n\
        00000,\"Moyenne France, hors Mayotte \",120483,41.1,21930\r\n\
        01001,Ain  - 1re circonscription,122750,41.6,22130\r\n\
        2A001,Corse-du-Sud - 1re circonscription,80000,\"44,5\",nd\r\n\
        97101,Guadeloupe  - 1re circonscription,95755,,nd\r\n";

    fn parse(data: &str) -> Result<Dataset, InputError> {
        let dictionary = parse_variables(Path::new("v.csv"), VARIABLES.as_bytes())?;
        parse_data(
            Path::new("d.csv"),
            data.as_bytes(),
            Path::new("v.csv"),
            &dictionary,
        )
    }

    fn refused(data: &str) -> InputError {
        parse(data).expect_err("must be refused")
    }

    fn value(dataset: &Dataset, code: &str, key: &str) -> Option<f64> {
        dataset
            .values
            .get(&(code.to_owned(), key.to_owned()))
            .copied()
    }

    #[test]
    fn numbers_take_a_decimal_point_or_comma_and_nd_or_nothing_is_missing() {
        for (input, expected) in [
            ("41.1", Some(41.1)),
            ("41,1", Some(41.1)),
            (" 8 ", Some(8.0)),
            ("-17.7", Some(-17.7)),
            ("+0.4", Some(0.4)),
            ("nd", None),
            ("ND", None),
            ("", None),
            ("  ", None),
        ] {
            assert_eq!(parse_number(input), Ok(expected), "{input:?}");
        }
        for input in [
            "abc", "1.2.3", "1,2.3", "inf", "NaN", "1e5", "-", ".", "12 345", "4O", "--1",
        ] {
            let error = parse_number(input).expect_err(input);
            assert!(error.contains("expected a decimal number"), "{error}");
            assert!(error.contains(&format!("{:?}", input.trim())), "{error}");
        }
    }

    #[test]
    fn codes_are_normalised_and_the_national_row_is_kept_apart() {
        let dataset = parse(DATA).expect("parse");
        assert_eq!(dataset.circonscriptions, 3);
        assert_eq!(dataset.variables.len(), 3);
        assert_eq!(dataset.variables[0].label, "Population municipale légale");
        assert_eq!(dataset.variables[0].source, "Insee, recensement");
        assert_eq!(value(&dataset, NATIONAL_CODE, "age_moyen"), Some(41.1));
        assert_eq!(value(&dataset, "01-01", "pop_légal_19"), Some(122_750.0));
        assert_eq!(value(&dataset, "2A-01", "age_moyen"), Some(44.5));
        assert_eq!(value(&dataset, "2A-01", "nivvie_median_diff"), None);
        assert_eq!(value(&dataset, "971-01", "age_moyen"), None);
        assert_eq!(dataset.missing, 3);
        assert_eq!(dataset.values.len(), 4 * 3 - 3);
    }

    #[test]
    fn a_semicolon_separated_copy_with_a_byte_order_mark_reads_the_same() {
        let semicolons = format!(
            "\u{feff}{}",
            DATA.replace(',', ";").replace("\"44;5\"", "44,5")
        )
        .replace("\"Moyenne France; hors Mayotte \"", "Moyenne France");
        let dataset = parse(&semicolons).expect("parse");
        assert_eq!(value(&dataset, "2A-01", "age_moyen"), Some(44.5));
        assert_eq!(dataset.circonscriptions, 3);
    }

    #[test]
    fn a_bad_cell_is_refused_with_its_line_column_and_header() {
        let error = refused(&DATA.replace("41.6", "quarante"));
        assert_eq!(error.line, Some(3));
        assert_eq!(error.column, Some(4));
        assert_eq!(error.header.as_deref(), Some("age_moyen"));
        assert_eq!(
            error.to_string(),
            "d.csv: line 3, column 4 (age_moyen): expected a decimal number such as 41.1 or \
             41,1, \"nd\" or nothing, found \"quarante\""
        );
    }

    #[test]
    fn a_bad_circonscription_code_is_refused() {
        let error = refused(&DATA.replace("01001", "01X01"));
        assert_eq!((error.line, error.column), (Some(3), Some(1)));
        assert!(error.problem.contains("\"01X01\""), "{error}");
        assert!(error.problem.contains("expected"), "{error}");
    }

    #[test]
    fn a_truncated_or_overlong_row_is_refused() {
        let error = refused(&DATA.replace(",41.6,22130", ""));
        assert_eq!((error.line, error.column), (Some(3), Some(4)));
        assert!(
            error.problem.contains("expected 5 fields, found 3"),
            "{error}"
        );
        let error = refused(&DATA.replace("41.6,22130", "41.6,22130,1"));
        assert_eq!((error.line, error.column), (Some(3), Some(6)));
        assert!(
            error.problem.contains("expected 5 fields, found 6"),
            "{error}"
        );
    }

    #[test]
    fn duplicates_a_missing_national_row_and_wrong_headers_are_refused() {
        let error = refused(&format!("{DATA}01001,Ain,1,2,3\r\n"));
        assert_eq!(error.line, Some(6));
        assert!(
            error.problem.contains("01-01 again (first on line 3)"),
            "{error}"
        );

        let without_national: String = DATA
            .split("\r\n")
            .filter(|line| !line.starts_with("00000"))
            .collect::<Vec<_>>()
            .join("\r\n");
        let error = refused(&without_national);
        assert_eq!(error.line, None);
        assert!(error.problem.contains("\"00000\""), "{error}");

        let error = refused(&DATA.replace("circo,", "code,"));
        assert_eq!((error.line, error.column), (Some(1), Some(1)));
        assert!(error.problem.contains("found \"code\""), "{error}");

        let error = refused(&DATA.replace("age_moyen", "pop_légal_19"));
        assert_eq!((error.line, error.column), (Some(1), Some(4)));

        let error = refused("");
        assert!(error.problem.contains("empty file"), "{error}");
    }

    #[test]
    fn a_column_missing_from_the_dictionary_is_refused() {
        let error = refused(&DATA.replace("age_moyen", "age_median"));
        assert_eq!((error.line, error.column), (Some(1), Some(4)));
        assert!(
            error
                .problem
                .contains("described in v.csv, found \"age_median\""),
            "{error}"
        );
    }

    #[test]
    fn a_bad_dictionary_is_refused_with_its_line() {
        let path = Path::new("v.csv");
        let error = parse_variables(path, VARIABLES.replace(",Filosofi", "").as_bytes())
            .expect_err("two fields");
        assert_eq!((error.line, error.column), (Some(6), Some(3)));
        let error = parse_variables(path, format!("{VARIABLES}age_moyen,x,y\r\n").as_bytes())
            .expect_err("duplicate");
        assert_eq!(error.line, Some(7));
        let error = parse_variables(path, format!("{VARIABLES}dec90,,y\r\n").as_bytes())
            .expect_err("no label");
        assert_eq!((error.line, error.column), (Some(7), Some(2)));
        assert!(parse_variables(path, b"Liste des variables,,\r\n").is_err());
    }

    #[test]
    fn latin1_bytes_are_refused_with_their_position() {
        let mut bytes = DATA.as_bytes().to_vec();
        let at = DATA.find("Corse").expect("Corse");
        bytes[at + 1] = 0xE9;
        let dictionary = parse_variables(Path::new("v.csv"), VARIABLES.as_bytes()).expect("ok");
        let error = parse_data(Path::new("d.csv"), &bytes, Path::new("v.csv"), &dictionary)
            .expect_err("not UTF-8");
        assert_eq!((error.line, error.column), (Some(4), Some(2)));
        assert!(error.problem.contains("UTF-8"), "{error}");
    }

    /// Random bytes built from the file's own characters: nothing panics.
    #[test]
    fn random_input_never_panics() {
        let alphabet: Vec<u8> = b"0123456789,;.\"\r\n ndAB-\xC3\xA9\xFF".to_vec();
        let mut state: u64 = 0x2545_F491_4F6C_DD1D;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let dictionary = parse_variables(Path::new("v.csv"), VARIABLES.as_bytes()).expect("ok");
        for round in 0..20_000 {
            let length = (next() % 200) as usize;
            let noise: Vec<u8> = (0..length)
                .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
                .collect();
            let mut bytes = if round % 2 == 0 {
                DATA.as_bytes()[..(next() as usize % DATA.len())].to_vec()
            } else {
                Vec::new()
            };
            bytes.extend_from_slice(&noise);
            let _ = parse_data(Path::new("d.csv"), &bytes, Path::new("v.csv"), &dictionary);
            let _ = parse_variables(Path::new("v.csv"), &bytes);
        }
    }

    fn values(pairs: &[(&str, f64)]) -> Values {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect()
    }

    #[test]
    fn aggregates_sum_counts_and_weight_rates_by_population() {
        let a = values(&[
            (POPULATION, 100.0),
            (POPULATION_2013, 100.0),
            ("age_moyen", 40.0),
            ("tx_pauvrete60_diff", 10.0),
        ]);
        let b = values(&[
            (POPULATION, 300.0),
            (POPULATION_2013, 200.0),
            ("age_moyen", 50.0),
        ]);
        let total = aggregate(&[a, b]);
        assert_eq!(total[POPULATION], 400.0);
        assert_eq!(total[POPULATION_2013], 300.0);
        assert_eq!(total["age_moyen"], 47.5);
        // Only the circonscription that has the value counts, with its own weight.
        assert_eq!(total["tx_pauvrete60_diff"], 10.0);
        let expected_change = ((400.0_f64 / 300.0).powf(1.0 / 6.0) - 1.0) * 100.0;
        assert!((total[POPULATION_CHANGE] - expected_change).abs() < 1e-9);
    }

    #[test]
    fn the_population_change_from_sums_matches_insee_for_one_circonscription() {
        let circo_34_01 = values(&[(POPULATION, 126_520.0), (POPULATION_2013, 114_075.0)]);
        let change = aggregate(&[circo_34_01])[POPULATION_CHANGE];
        assert_eq!(format!("{change:.1}"), "1.7");
    }

    #[test]
    fn the_unemployment_rate_is_derived_from_shares_of_the_population() {
        let national = values(&[(UNEMPLOYED, 6.2), (EMPLOYED, 40.5)]);
        let rate = indicator_value(&national, UNEMPLOYMENT_RATE).expect("rate");
        assert!((rate - 13.276).abs() < 0.001, "{rate}");
        assert_eq!(
            indicator_value(&values(&[(UNEMPLOYED, 6.2)]), UNEMPLOYMENT_RATE),
            None
        );
    }

    #[test]
    fn lines_follow_the_curated_order_and_skip_what_is_missing() {
        let national = values(&[
            (POPULATION, 120_483.0),
            ("age_moyen", 41.1),
            ("log_vac", 8.2),
        ]);
        let here = values(&[(POPULATION, 126_520.0), ("age_moyen", 41.1)]);
        let lines = lines(&here, &national);
        let keys: Vec<&str> = lines.iter().map(|l| l.key).collect();
        assert_eq!(keys, [POPULATION, "age_moyen"]);
        assert_eq!(lines[0].national, 120_483.0);
    }

    #[test]
    fn units_format_numbers_the_french_way() {
        assert_eq!(Unit::Count.format(1_175_623.0), "1\u{202f}175\u{202f}623");
        assert_eq!(Unit::Percent.format(17.0212), "17,0\u{a0}%");
        assert_eq!(Unit::PercentPerYear.format(1.74), "+1,7\u{a0}% par an");
        assert_eq!(Unit::PercentPerYear.format(-0.3), "−0,3\u{a0}% par an");
        assert_eq!(Unit::PercentPerYear.format(0.01), "0,0\u{a0}% par an");
        assert_eq!(Unit::Euros.format(21_330.0), "21\u{202f}330\u{a0}€");
        assert_eq!(Unit::Years.format(41.1), "41,1\u{a0}ans");
        assert_eq!(Unit::Count.format(-0.2), "0");
    }

    #[test]
    fn every_curated_key_is_a_column_of_the_2022_file_or_derived() {
        let header = "circo,Nom de la circonscription,Inscrit_22,pop_légal_19,pop_légal_13,\
            tvar_pop,age_moyen,actemp,actcho,inactret,actdip_PEU,actdip_BAC3P,act_cad,act_ouv,\
            log_vac,proprio,tx_pauvrete60_diff,nivvie_median_diff";
        for indicator in INDICATORS {
            assert!(
                indicator.key == UNEMPLOYMENT_RATE
                    || header.split(',').any(|column| column == indicator.key),
                "{}",
                indicator.key
            );
        }
    }
}
