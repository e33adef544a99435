//! Official results imported as published: figures asserted against the real files, the
//! consistency check between levels, bad input, idempotence, and the results API.

use tribun::accounts::Role;
use tribun::elections::import::{self as results, Report};
use tribun::elections::{ElectionId, outcome};

use crate::support::{TestApp, manifest_dir};

pub async fn import_file(
    app: &TestApp,
    file: &str,
    election: &str,
    round: i64,
) -> Result<Report, results::Error> {
    let path = manifest_dir().join("../shared/data/elections").join(file);
    let bytes = std::fs::read(&path).expect("read the results file");
    results::import(
        app.store.pool(),
        results::Request {
            election: &ElectionId::parse(election).expect("election"),
            round,
            source_name: file,
            bytes: &bytes,
            dry_run: false,
            on_progress: &|_, _| {},
        },
    )
    .await
}

const NATIONAL_2022_T1: &str =
    "national/legislatives-2022-resultats-par-niveau-cirlg-t1-france-entiere.xlsx";
const NATIONAL_2022_T2: &str =
    "national/legislatives-2022-resultats-par-niveau-cirlg-t2-france-entiere.xlsx";
const HERAULT_2022_T1: &str = "herault-34/legislatives-2022-t1-bureaux-de-vote-34.txt";
const HERAULT_2022_T2: &str = "herault-34/legislatives-2022-t2-bureaux-de-vote-34.txt";

#[tokio::test]
async fn every_results_file_imports_unmodified() {
    let app = TestApp::spawn().await;
    for (file, election, round) in [
        (NATIONAL_2022_T1, "legislatives-2022", 1),
        (NATIONAL_2022_T2, "legislatives-2022", 2),
        (
            "national/legislatives-2024-resultats-circonscriptions-une-ligne-par-candidat.csv",
            "legislatives-2024",
            1,
        ),
        (
            "national/presidentielle-2022-resultats-par-niveau-cirlg-t1-france-entiere.xlsx",
            "presidentielle-2022",
            1,
        ),
        (HERAULT_2022_T1, "legislatives-2022", 1),
        (HERAULT_2022_T2, "legislatives-2022", 2),
        (
            "herault-34/legislatives-2024-t2-bureaux-de-vote-34.csv",
            "legislatives-2024",
            2,
        ),
    ] {
        let report = import_file(&app, file, election, round)
            .await
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        assert!(report.territories > 0, "{file}");
        assert!(!report.already_imported, "{file}");
    }
    let sets: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM result_sets")
        .fetch_one(app.store.pool())
        .await
        .expect("count");
    assert_eq!(sets, 7);
}

#[tokio::test]
async fn the_2022_national_first_round_has_the_official_totals() {
    let app = TestApp::spawn().await;
    let report = import_file(&app, NATIONAL_2022_T1, "legislatives-2022", 1)
        .await
        .expect("import");
    assert_eq!(report.level, "circonscription");
    assert_eq!(report.territories, 577);
    assert_eq!(report.inscrits, 48_953_800);
    assert_eq!(report.votants, 23_257_547);
    assert_eq!(report.exprimes, 22_745_602);
    let national = outcome(app.store.pool(), "legislatives-2022", 1, None)
        .await
        .expect("outcome")
        .expect("national results");
    assert_eq!(national.inscrits, 48_953_800);
    assert_eq!(national.summed_rows, 577);
    // The file brings the eleven circonscriptions of French residents abroad.
    let circonscriptions: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM territories WHERE kind = 'circonscription'")
            .fetch_one(app.store.pool())
            .await
            .expect("count");
    assert_eq!(circonscriptions, 577);
    let abroad = tribun::territories::find(app.store.pool(), "99-11")
        .await
        .expect("find")
        .expect("99-11");
    assert_eq!(
        abroad.name,
        "11e circonscription des Français établis hors de France"
    );
}

#[tokio::test]
async fn herault_bureaux_add_up_and_the_34_08_difference_is_reported() {
    let app = TestApp::spawn().await;
    let report = import_file(&app, HERAULT_2022_T1, "legislatives-2022", 1)
        .await
        .expect("import");
    assert_eq!(report.level, "bureau");
    assert_eq!(report.territories, 943);
    assert_eq!(report.inscrits, 852_554);
    assert!(
        report.unknown_territories.is_empty(),
        "{:?}",
        report.unknown_territories
    );
    let circo = outcome(app.store.pool(), "legislatives-2022", 1, Some("34-01"))
        .await
        .expect("outcome")
        .expect("34-01");
    assert_eq!(circo.from_level, "bureau");
    assert_eq!(circo.inscrits, 90_089);

    let national = import_file(&app, NATIONAL_2022_T1, "legislatives-2022", 1)
        .await
        .expect("import");
    // Two real discrepancies of the sources: 2 inscrits in 34-08 (known), 1 votant in 34-06.
    assert_eq!(
        national.differences,
        vec![
            results::Difference {
                territory: "34-06".to_owned(),
                measure: "votants",
                from_bureaux: 42_562,
                official: 42_561,
            },
            results::Difference {
                territory: "34-08".to_owned(),
                measure: "inscrits",
                from_bureaux: 94_370,
                official: 94_368,
            },
        ]
    );
    assert!(
        national.summary().contains("écart 34-08 : inscrits 94370"),
        "{}",
        national.summary()
    );
}

#[tokio::test]
async fn patricia_miralles_wins_the_second_round_in_34_01() {
    let app = TestApp::spawn().await;
    import_file(&app, HERAULT_2022_T2, "legislatives-2022", 2)
        .await
        .expect("import");
    let circo = outcome(app.store.pool(), "legislatives-2022", 2, Some("34-01"))
        .await
        .expect("outcome")
        .expect("34-01");
    let winner = &circo.candidates[0];
    assert_eq!(winner.last_name, "MIRALLES");
    assert_eq!(winner.first_name, "Patricia");
    assert_eq!(winner.nuance.as_deref(), Some("ENS"));
    assert_eq!(winner.bloc.as_deref(), Some("centre"));
    assert_eq!(winner.votes, 19_338);
    assert!(
        (winner.share_of_exprimes - 52.55).abs() < 1e-9,
        "{}",
        winner.share_of_exprimes
    );

    import_file(&app, NATIONAL_2022_T2, "legislatives-2022", 2)
        .await
        .expect("import");
    let official = outcome(app.store.pool(), "legislatives-2022", 2, Some("34-01"))
        .await
        .expect("outcome")
        .expect("34-01");
    assert_eq!(official.from_level, "circonscription");
    assert_eq!(official.candidates[0].votes, 19_338);
    assert_eq!(official.candidates[0].elected, Some(true));
}

async fn fingerprint(app: &TestApp) -> (i64, i64, i64) {
    let pool = app.store.pool();
    let count = |sql: &'static str| async move {
        sqlx::query_scalar::<_, i64>(sql)
            .fetch_one(pool)
            .await
            .expect(sql)
    };
    (
        count("SELECT COUNT(*) FROM result_sets").await,
        count("SELECT COUNT(*) FROM territory_results").await,
        count("SELECT COUNT(*) FROM candidate_results").await,
    )
}

#[tokio::test]
async fn importing_the_same_file_twice_changes_nothing() {
    let app = TestApp::spawn().await;
    import_file(&app, HERAULT_2022_T1, "legislatives-2022", 1)
        .await
        .expect("first");
    let before = fingerprint(&app).await;
    let again = import_file(&app, HERAULT_2022_T1, "legislatives-2022", 1)
        .await
        .expect("second");
    assert!(again.already_imported);
    assert_eq!(fingerprint(&app).await, before);
}

async fn check_refused(app: &TestApp, damage: impl FnOnce(String) -> String, expected: &[&str]) {
    let path = manifest_dir()
        .join("../shared/data/elections")
        .join(HERAULT_2022_T1);
    let text: String = std::fs::read(&path)
        .expect("read")
        .iter()
        .map(|&b| char::from(b))
        .collect();
    let damaged: Vec<u8> = damage(text)
        .chars()
        .map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?'))
        .collect();
    refuse(app, &damaged, expected).await;
}

async fn refuse(app: &TestApp, damaged: &[u8], expected: &[&str]) {
    let before = fingerprint(app).await;
    let error = results::import(
        app.store.pool(),
        results::Request {
            election: &ElectionId::parse("legislatives-2022").expect("election"),
            round: 1,
            source_name: "damaged.txt",
            bytes: damaged,
            dry_run: false,
            on_progress: &|_, _| {},
        },
    )
    .await
    .expect_err("damaged input must be refused");
    let message = error.to_string();
    assert!(message.contains("damaged.txt"), "{message}");
    for part in expected {
        assert!(
            message.contains(part),
            "{message:?} should contain {part:?}"
        );
    }
    assert_eq!(fingerprint(app).await, before, "the database changed");
}

/// Replaces the `field`th field (1-based) of line `line` (1-based).
fn replace_field(text: String, line: usize, field: usize, value: &str) -> String {
    let mut lines: Vec<String> = text.split("\r\n").map(str::to_owned).collect();
    let mut fields: Vec<String> = lines[line - 1].split(';').map(str::to_owned).collect();
    fields[field - 1] = value.to_owned();
    lines[line - 1] = fields.join(";");
    lines.join("\r\n")
}

#[tokio::test]
async fn bad_results_files_are_refused_with_line_and_column() {
    let app = TestApp::spawn().await;
    // A non-numeric vote count: line 3, the first candidate's "Voix" (column 27).
    check_refused(
        &app,
        |t| replace_field(t, 3, 27, "12a"),
        &["line 3", "column 27", "12a"],
    )
    .await;
    // A truncated row: line 4 cut after the fixed columns.
    check_refused(
        &app,
        |t| {
            let mut lines: Vec<String> = t.split("\r\n").map(str::to_owned).collect();
            lines[3] = lines[3].split(';').take(12).collect::<Vec<_>>().join(";");
            lines.join("\r\n")
        },
        &["line 4"],
    )
    .await;
    // A candidate block missing a column: the last block of line 2 loses its last field.
    check_refused(
        &app,
        |t| {
            let mut lines: Vec<String> = t.split("\r\n").map(str::to_owned).collect();
            let cut = lines[1].rfind(';').unwrap_or(0);
            lines[1].truncate(cut);
            lines.join("\r\n")
        },
        &["line 2"],
    )
    .await;
    // A wrong encoding: one Latin-1 "é" in the UTF-8 file of 2024, on line 5.
    let path = manifest_dir()
        .join("../shared/data/elections/herault-34/legislatives-2024-t2-bureaux-de-vote-34.csv");
    let mut bytes = std::fs::read(&path).expect("read");
    let line_5 = bytes
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .nth(3)
        .map(|(i, _)| i + 1)
        .expect("line 5");
    let e_acute = line_5
        + bytes[line_5..]
            .windows(2)
            .position(|w| w == "é".as_bytes())
            .expect("é");
    bytes.splice(e_acute..e_acute + 2, [0xE9]);
    refuse(&app, &bytes, &["line 5", "column", "0xE9", "encodings"]).await;
}

#[tokio::test]
async fn the_results_api_follows_the_users_scope() {
    let app = TestApp::spawn().await;
    import_file(&app, HERAULT_2022_T2, "legislatives-2022", 2)
        .await
        .expect("import");
    let militant = app.create_user(Role::Militant, Some("34")).await;
    let admin = app.create_user(Role::Admin, None).await;
    let client = reqwest::Client::new();
    let get = |path: &str, token: String| client.get(app.url(path)).bearer_auth(token).send();
    let militant_token = app.token_for(&militant).await;
    let admin_token = app.token_for(&admin).await;

    let response = get(
        "/api/v1/elections/legislatives-2022/results?territory=34-01&round=2",
        militant_token.clone(),
    )
    .await
    .expect("results");
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.expect("JSON");
    assert_eq!(body["candidates"][0]["last_name"], "MIRALLES");
    assert_eq!(body["candidates"][0]["votes"], 19_338);

    for path in [
        "/api/v1/elections/legislatives-2022/results?territory=33&round=2",
        "/api/v1/elections/legislatives-2022/results?round=2",
    ] {
        assert_eq!(
            get(path, militant_token.clone())
                .await
                .expect("refused")
                .status(),
            403,
            "{path}"
        );
    }
    let national = get(
        "/api/v1/elections/legislatives-2022/results?round=2",
        admin_token.clone(),
    )
    .await
    .expect("national");
    assert_eq!(national.status(), 200);
    let listed: serde_json::Value = get("/api/v1/elections", admin_token)
        .await
        .expect("list")
        .json()
        .await
        .expect("JSON");
    assert_eq!(listed["elections"][0]["id"], "legislatives-2022");
}
