//! The INSEE indicators per circonscription: the real file imported and checked against values
//! read in it, idempotence, refused copies, and the fiche's profile at every level.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use sqlx::AnyPool;
use tribun::insee::{
    self, Basis, INDICATORS, ImportError, IndicatorLine, NATIONAL_CODE, UNEMPLOYMENT_RATE,
};

use crate::support::{TestDb, open_data_dir};

fn data_file() -> PathBuf {
    open_data_dir().join(insee::DATA_CSV)
}

fn variables_file() -> PathBuf {
    open_data_dir().join(insee::VARIABLES_CSV)
}

/// Counted in the file: 567 rows (566 circonscriptions, the French abroad are not in it, and
/// the national row) × 122 indicators = 69,174 cells, of which 677 are "nd" and 37 empty.
const CIRCONSCRIPTIONS: usize = 566;
const VARIABLES: usize = 122;
const MISSING: usize = 714;
const VALUES: usize = 567 * VARIABLES - MISSING;

/// Every stored row, to prove that a run changed nothing.
async fn snapshot(
    pool: &AnyPool,
) -> (
    Vec<(String, String, String, i64)>,
    Vec<(String, String, f64)>,
) {
    let variables =
        sqlx::query_as("SELECT key, label, source, position FROM insee_variables ORDER BY key")
            .fetch_all(pool)
            .await
            .expect("read variables");
    let values = sqlx::query_as(
        "SELECT territory_code, key, value FROM insee_indicators ORDER BY territory_code, key",
    )
    .fetch_all(pool)
    .await
    .expect("read values");
    (variables, values)
}

async fn stored(pool: &AnyPool, code: &str, key: &str) -> Option<f64> {
    sqlx::query_scalar("SELECT value FROM insee_indicators WHERE territory_code = $1 AND key = $2")
        .bind(code)
        .bind(key)
        .fetch_optional(pool)
        .await
        .expect("read a value")
}

async fn import_real(pool: &AnyPool) -> insee::ImportReport {
    insee::import(pool, &data_file(), &variables_file())
        .await
        .unwrap_or_else(|e| panic!("import: {e}"))
}

#[tokio::test]
async fn the_real_file_imports_every_circonscription_and_the_national_row() {
    let db = TestDb::with_territories().await;
    let store = db.store().await;
    let pool = store.pool();
    let report = import_real(pool).await;
    assert_eq!(report.variables, VARIABLES);
    assert_eq!(report.circonscriptions, CIRCONSCRIPTIONS);
    assert_eq!(report.values, VALUES);
    assert_eq!(report.missing, MISSING);
    assert_eq!(
        (report.new, report.changed, report.unchanged, report.removed),
        (VALUES, 0, 0, 0)
    );
    assert_eq!(report.variables_written, VARIABLES);
    // INSEE files Saint-Barthélemy et Saint-Martin under Saint-Martin (978); the territorial
    // reference, like the Interior ministry (ZX), under 977.
    assert_eq!(report.unknown_circonscriptions, ["978-01"]);

    let territories: i64 =
        sqlx::query_scalar("SELECT COUNT(DISTINCT territory_code) FROM insee_indicators")
            .fetch_one(pool)
            .await
            .expect("count");
    assert_eq!(territories, 567);
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM insee_indicators")
        .fetch_one(pool)
        .await
        .expect("count");
    assert_eq!(rows, VALUES as i64);

    // Line 158 of the file: 34001, Hérault 1re circonscription.
    assert_eq!(stored(pool, "34-01", "actcho").await, Some(8.0));
    assert_eq!(stored(pool, "34-01", "age_moyen").await, Some(41.1));
    assert_eq!(
        stored(pool, "34-01", "nivvie_median_diff").await,
        Some(21_330.0)
    );
    assert_eq!(stored(pool, "34-01", "pop_légal_19").await, Some(126_520.0));
    // Line 2: the national row "00000".
    assert_eq!(stored(pool, NATIONAL_CODE, "actcho").await, Some(6.2));
    assert_eq!(stored(pool, NATIONAL_CODE, "PIMPOT").await, Some(-17.7));
    assert_eq!(stored(pool, NATIONAL_CODE, "mobresid").await, None, "nd");
    // Codes normalised: "01001", "2A001", "97101", "98802".
    assert_eq!(stored(pool, "01-01", "pop_légal_19").await, Some(122_750.0));
    assert!(stored(pool, "2A-01", "age_moyen").await.is_some());
    assert_eq!(stored(pool, "971-01", "pop_légal_19").await, Some(95_755.0));
    assert_eq!(
        stored(pool, "971-01", "tx_pauvrete60_diff").await,
        None,
        "nd"
    );
    assert!(stored(pool, "988-02", "pop_légal_19").await.is_some());
    // Paris has no "other commune of the département": empty cells.
    assert_eq!(stored(pool, "75-01", "ilt_dep").await, None);

    let label: String =
        sqlx::query_scalar("SELECT label FROM insee_variables WHERE key = 'age_moyen'")
            .fetch_one(pool)
            .await
            .expect("label");
    assert_eq!(label, "âge moyen de la population");
    store.close().await;
}

#[tokio::test]
async fn a_second_import_changes_nothing() {
    let db = TestDb::empty().await;
    let store = db.store().await;
    import_real(store.pool()).await;
    let before = snapshot(store.pool()).await;
    let report = import_real(store.pool()).await;
    assert_eq!(
        (report.new, report.changed, report.unchanged, report.removed),
        (0, 0, VALUES, 0)
    );
    assert_eq!((report.variables_written, report.variables_removed), (0, 0));
    assert!(!report.changed_anything());
    // Without territories, no circonscription is known to the reference.
    assert_eq!(report.unknown_circonscriptions.len(), CIRCONSCRIPTIONS);
    assert_eq!(snapshot(store.pool()).await, before);
    store.close().await;
}

/// What to do to one line (number, text) of the file: `Some(new text)` or leave it.
type Damage = Box<dyn Fn(usize, &str) -> Option<String>>;

/// A copy of the file with line `line` (1-based) replaced by `damage(line)`.
fn damaged_copy(dir: &Path, damage: impl Fn(usize, &str) -> Option<String>) -> PathBuf {
    let text = std::fs::read_to_string(data_file()).expect("read the file");
    let lines: Vec<String> = text
        .split("\r\n")
        .enumerate()
        .map(|(index, line)| damage(index + 1, line).unwrap_or_else(|| line.to_owned()))
        .collect();
    let path = dir.join("insee-indicateurs-abime.csv");
    std::fs::write(&path, lines.join("\r\n")).expect("write the copy");
    path
}

/// Replaces the cell at `column` (1-based) of a line without quoted commas.
fn replace_cell(line: &str, column: usize, new: &str) -> String {
    let mut cells: Vec<&str> = line.split(',').collect();
    cells[column - 1] = new;
    cells.join(",")
}

#[tokio::test]
async fn broken_copies_are_refused_with_line_and_column_and_change_nothing() {
    let db = TestDb::empty().await;
    let store = db.store().await;
    import_real(store.pool()).await;
    let before = snapshot(store.pool()).await;
    let dir = tempfile::tempdir().expect("temporary directory");
    let cases: [(Damage, &[&str]); 4] = [
        (
            // age_moyen (column 13) of 34-01.
            Box::new(|n: usize, line: &str| {
                (n == 158).then(|| replace_cell(line, 13, "quarante et un"))
            }),
            &[
                "line 158, column 13 (age_moyen)",
                "expected a decimal number",
                "found \"quarante et un\"",
            ],
        ),
        (
            Box::new(|n: usize, line: &str| (n == 4).then(|| replace_cell(line, 1, "01X03"))),
            &[
                "line 4, column 1 (circo)",
                "\"01X03\"",
                "expected a circonscription",
            ],
        ),
        (
            Box::new(|n: usize, line: &str| {
                (n == 5).then(|| line.split(',').take(57).collect::<Vec<_>>().join(","))
            }),
            &["line 5, column 58", "expected 124 fields, found 57"],
        ),
        (
            // A value changed and a row damaged later: nothing of the first may be written.
            Box::new(|n: usize, line: &str| match n {
                3 => Some(replace_cell(line, 13, "99.9")),
                568 => Some(replace_cell(line, 20, "1.2.3")),
                _ => None,
            }),
            &["line 568, column 20 (actcho)", "found \"1.2.3\""],
        ),
    ];
    for (damage, expected) in cases {
        let copy = damaged_copy(dir.path(), damage);
        let error = insee::import(store.pool(), &copy, &variables_file())
            .await
            .expect_err("a damaged copy must be refused");
        assert!(matches!(error, ImportError::Input(_)), "{error}");
        let message = error.to_string();
        assert!(message.contains("insee-indicateurs-abime.csv"), "{message}");
        for part in expected {
            assert!(
                message.contains(part),
                "{message:?} should contain {part:?}"
            );
        }
        assert_eq!(snapshot(store.pool()).await, before, "the database changed");
    }
    store.close().await;
}

fn line<'a>(lines: &'a [IndicatorLine], key: &str) -> &'a IndicatorLine {
    lines
        .iter()
        .find(|l| l.key == key)
        .unwrap_or_else(|| panic!("no line {key}"))
}

#[tokio::test]
async fn the_profile_of_a_circonscription_lists_the_curated_indicators_next_to_france() {
    let db = TestDb::with_territories().await;
    let store = db.store().await;
    let pool = store.pool();
    let empty = insee::profile(pool, "34-01").await.expect("profile");
    assert!(empty.lines.is_empty(), "nothing imported yet");
    assert_eq!(empty.basis, Basis::None);

    import_real(pool).await;
    let profile = insee::profile(pool, "34-01").await.expect("profile");
    assert_eq!(profile.basis, Basis::Circonscription);
    assert_eq!(profile.source_code, "34-01");
    assert_eq!(profile.source_name, "1re circonscription de l'Hérault");
    let keys: Vec<&str> = profile.lines.iter().map(|l| l.key).collect();
    let curated: Vec<&str> = INDICATORS.iter().map(|i| i.key).collect();
    assert_eq!(keys, curated);

    let population = line(&profile.lines, "pop_légal_19");
    assert_eq!(
        (population.value, population.national),
        (126_520.0, 120_483.0)
    );
    let income = line(&profile.lines, "nivvie_median_diff");
    assert_eq!((income.value, income.national), (21_330.0, 21_930.0));
    let poverty = line(&profile.lines, "tx_pauvrete60_diff");
    assert_eq!((poverty.value, poverty.national), (17.9, 14.5));
    let unemployment = line(&profile.lines, UNEMPLOYMENT_RATE);
    assert_eq!(unemployment.value, 8.0 / (38.8 + 8.0) * 100.0);
    assert_eq!(unemployment.national, 6.2 / (40.5 + 6.2) * 100.0);
    assert_eq!(unemployment.unit.format(unemployment.value), "17,1\u{a0}%");

    // Overseas, Filosofi has no figures: those lines are left out.
    let guadeloupe = insee::profile(pool, "971-01").await.expect("profile");
    assert!(!guadeloupe.lines.is_empty());
    assert!(
        guadeloupe
            .lines
            .iter()
            .all(|l| l.key != "tx_pauvrete60_diff")
    );
    store.close().await;
}

#[tokio::test]
async fn departements_and_regions_get_population_weighted_means_of_their_circonscriptions() {
    let db = TestDb::with_territories().await;
    let store = db.store().await;
    let pool = store.pool();
    import_real(pool).await;
    let herault = insee::profile(pool, "34").await.expect("profile");
    assert_eq!(
        herault.basis,
        Basis::WeightedMean {
            circonscriptions: 9
        }
    );
    assert_eq!(herault.source_code, "34");
    assert_eq!(herault.source_name, "Hérault");
    assert_eq!(herault.lines.len(), INDICATORS.len());
    // Counts are summed: the nine populations of the file.
    assert_eq!(line(&herault.lines, "pop_légal_19").value, 1_175_623.0);

    let mut circonscriptions = Vec::new();
    for number in 1..=9 {
        let code = format!("34-{number:02}");
        circonscriptions.push(insee::profile(pool, &code).await.expect("profile"));
    }
    for total in &herault.lines {
        if total.key == "pop_légal_19" || total.key == "Inscrit_22" {
            continue;
        }
        let values: Vec<f64> = circonscriptions
            .iter()
            .map(|p| line(&p.lines, total.key).value)
            .collect();
        let min = values.iter().copied().fold(f64::INFINITY, f64::min);
        let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        assert!(
            min <= total.value && total.value <= max,
            "{}: {} outside [{min}, {max}]",
            total.key,
            total.value
        );
        let national = line(&circonscriptions[0].lines, total.key).national;
        assert_eq!(total.national, national, "{}", total.key);
    }
    let weighted_age: f64 = circonscriptions
        .iter()
        .map(|p| line(&p.lines, "age_moyen").value * line(&p.lines, "pop_légal_19").value)
        .sum::<f64>()
        / 1_175_623.0;
    assert!((line(&herault.lines, "age_moyen").value - weighted_age).abs() < 1e-9);

    let occitanie = insee::profile(pool, "R76").await.expect("profile");
    assert_eq!(
        occitanie.basis,
        Basis::WeightedMean {
            circonscriptions: 49
        }
    );
    assert!(line(&occitanie.lines, "pop_légal_19").value > 5_000_000.0);
    store.close().await;
}

#[tokio::test]
async fn a_commune_gets_the_values_of_its_circonscription() {
    let db = TestDb::with_territories().await;
    let store = db.store().await;
    let pool = store.pool();
    import_real(pool).await;
    // Agde lies wholly in the 7th circonscription.
    let agde = insee::profile(pool, "34003").await.expect("profile");
    let circonscription = insee::profile(pool, "34-07").await.expect("profile");
    assert_eq!(agde.code, "34003");
    assert_eq!(
        agde.basis,
        Basis::EnclosingCirconscription { partial: false }
    );
    assert_eq!(agde.source_code, "34-07");
    assert_eq!(agde.source_name, "7e circonscription de l'Hérault");
    assert_eq!(agde.lines, circonscription.lines);
    assert!(!agde.lines.is_empty());

    // Montpellier is split across five circonscriptions: the first one, said to be partial.
    let montpellier = insee::profile(pool, "34172").await.expect("profile");
    assert_eq!(
        montpellier.basis,
        Basis::EnclosingCirconscription { partial: true }
    );
    assert_eq!(montpellier.source_code, "34-01");

    // An EPCI straddles circonscriptions: no figures.
    let metropole = insee::profile(pool, "243400017").await.expect("profile");
    assert_eq!(metropole.basis, Basis::None);
    assert!(metropole.lines.is_empty());
    store.close().await;
}

#[tokio::test]
async fn the_binary_imports_the_indicators_from_the_open_data_folder() {
    let db = TestDb::empty().await;
    let home = tempfile::tempdir().expect("home");
    let run = |args: &[&str]| {
        let output = Command::new(env!("CARGO_BIN_EXE_tribun"))
            .args(args)
            .current_dir(home.path())
            .env("TRIBUN_DATABASE_URL", &db.url)
            .env_remove("TRIBUN_OPEN_DATA")
            .stdin(Stdio::null())
            .output()
            .expect("run tribun");
        assert!(
            output.status.success(),
            "tribun failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let open_data = open_data_dir();
    let first = run(&[
        "import",
        "indicators",
        "--open-data",
        open_data.to_str().expect("path"),
    ]);
    assert!(
        first.contains("122 indicateurs, 566 circonscriptions"),
        "{first}"
    );
    assert!(first.contains(&format!("{VALUES} nouvelles")), "{first}");
    let data = data_file();
    let second = run(&["import", "indicators", data.to_str().expect("path")]);
    assert!(second.contains("0 nouvelles, 0 modifiées"), "{second}");
    assert!(second.contains("rien n'a changé"), "{second}");
}
