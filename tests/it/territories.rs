//! The territory import against the real sources, and territory search and pages.

use std::path::Path;

use sha2::{Digest, Sha256};
use sqlx::AnyPool;
use tribun::accounts::Role;
use tribun::territories::import::{self, CIRCONSCRIPTIONS_CSV, Sources};

use crate::support::{TestApp, TestDb, open_data_dir, reference_dir};

/// code, kind, name, population, département, postcodes, geometry.
type TerritoryRow = (
    String,
    String,
    String,
    Option<i64>,
    Option<String>,
    String,
    Option<String>,
);

/// Bureaux of the 1st circonscription of Hérault in `bureaux-vers-circonscriptions-34.json`.
const BUREAUX_OF_34_01: i64 = 86;

/// A digest of every territory table, to prove that a run changed nothing.
async fn fingerprint(pool: &AnyPool) -> String {
    let mut hasher = Sha256::new();
    let territories: Vec<TerritoryRow> = sqlx::query_as(
        "SELECT code, kind, name, population, departement_code, postcodes, geometry \
             FROM territories ORDER BY code",
    )
    .fetch_all(pool)
    .await
    .expect("read territories");
    hasher.update(format!("{territories:?}"));
    let links: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT parent_code, child_code, partial FROM territory_links ORDER BY parent_code, child_code",
    )
    .fetch_all(pool)
    .await
    .expect("read links");
    hasher.update(format!("{links:?}"));
    let former: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT code, kind, successor_code FROM former_communes ORDER BY code, kind, successor_code",
    )
    .fetch_all(pool)
    .await
    .expect("read former communes");
    hasher.update(format!("{former:?}"));
    format!("{:x}", hasher.finalize())
}

async fn count(pool: &AnyPool, sql: &'static str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.expect(sql)
}

#[tokio::test]
async fn the_import_matches_the_counts_of_the_sources() {
    let db = TestDb::empty().await;
    let store = db.store().await;
    let report = import::import(
        store.pool(),
        &Sources {
            reference_dir: &reference_dir(),
            open_data_dir: Some(&open_data_dir()),
        },
    )
    .await
    .expect("import");
    assert_eq!(report.communes, 34_969);
    assert_eq!(report.departements, 101);
    assert_eq!(report.regions, 18);
    assert_eq!(report.circonscriptions, 556);
    assert_eq!(report.partial_links, 313);
    assert_eq!(report.split_communes, 129);
    assert_eq!(report.communes_without_circonscription, 6);
    assert_eq!(report.bureaux, 943);

    let pool = store.pool();
    assert_eq!(
        count(
            pool,
            "SELECT COUNT(*) FROM territories WHERE kind = 'commune'"
        )
        .await,
        34_969
    );
    assert_eq!(
        count(
            pool,
            "SELECT COUNT(*) FROM territories WHERE kind = 'departement'"
        )
        .await,
        101
    );
    assert_eq!(
        count(
            pool,
            "SELECT COUNT(*) FROM territory_links WHERE partial = 1"
        )
        .await,
        313
    );
    assert_eq!(
        count(
            pool,
            "SELECT COUNT(DISTINCT child_code) FROM territory_links l JOIN territories p \
             ON p.code = l.parent_code WHERE p.kind = 'circonscription' AND l.partial = 1"
        )
        .await,
        129
    );
    // The six Meuse villages "mortes pour la France" are kept, with no circonscription.
    let meuse_without_circo = count(
        pool,
        "SELECT COUNT(*) FROM territories c WHERE c.code IN \
         ('55039', '55050', '55139', '55189', '55239', '55307') AND NOT EXISTS ( \
         SELECT 1 FROM territory_links l JOIN territories p ON p.code = l.parent_code \
         WHERE l.child_code = c.code AND p.kind = 'circonscription')",
    )
    .await;
    assert_eq!(meuse_without_circo, 6);
    // Ajaccio is split between the two circonscriptions of Corse-du-Sud.
    let ajaccio: Vec<(String, i64)> = sqlx::query_as(
        "SELECT parent_code, partial FROM territory_links WHERE child_code = '2A004' \
         AND parent_code LIKE '2A-%' ORDER BY parent_code",
    )
    .fetch_all(pool)
    .await
    .expect("Ajaccio");
    assert_eq!(
        ajaccio,
        vec![("2A-01".to_owned(), 1), ("2A-02".to_owned(), 1)]
    );
    // Bureaux de vote hang under their commune and their circonscription.
    let bureaux_of_34_01 = count(
        pool,
        "SELECT COUNT(*) FROM territory_links l JOIN territories b ON b.code = l.child_code \
         WHERE l.parent_code = '34-01' AND b.kind = 'bureau'",
    )
    .await;
    assert_eq!(bureaux_of_34_01, BUREAUX_OF_34_01);
    let orphans = count(
        pool,
        "SELECT COUNT(*) FROM territories b WHERE b.kind = 'bureau' AND NOT EXISTS ( \
         SELECT 1 FROM territory_links l JOIN territories c ON c.code = l.parent_code \
         WHERE l.child_code = b.code AND c.kind = 'commune')",
    )
    .await;
    assert_eq!(orphans, 0);
    // A merged commune's successor keeps the old code for later imports.
    assert_eq!(
        count(
            pool,
            "SELECT COUNT(*) FROM former_communes WHERE code = '34093'"
        )
        .await,
        1
    );
    store.close().await;
}

#[tokio::test]
async fn importing_the_same_files_twice_changes_nothing() {
    let db = TestDb::with_territories().await;
    let store = db.store().await;
    let before = fingerprint(store.pool()).await;
    import::import(
        store.pool(),
        &Sources {
            reference_dir: &reference_dir(),
            open_data_dir: Some(&open_data_dir()),
        },
    )
    .await
    .expect("second import");
    assert_eq!(fingerprint(store.pool()).await, before);
    store.close().await;
}

/// Copies the sources into a temporary folder, with `damage` applied to one file.
fn damaged_sources(file: &str, damage: impl FnOnce(Vec<u8>) -> Vec<u8>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temporary directory");
    let reference = dir.path().join("reference-npm");
    std::fs::create_dir_all(&reference).expect("folder");
    for name in [
        "regions.json",
        "departements.json",
        "communes.json",
        "epci.json",
    ] {
        std::fs::copy(reference_dir().join(name), reference.join(name)).expect("copy");
    }
    std::fs::create_dir_all(dir.path().join("open/reference")).expect("folder");
    std::fs::copy(
        open_data_dir().join(CIRCONSCRIPTIONS_CSV),
        dir.path().join("open").join(CIRCONSCRIPTIONS_CSV),
    )
    .expect("copy");
    let target = dir.path().join(file);
    let bytes = std::fs::read(&target).expect("read the copy");
    std::fs::write(&target, damage(bytes)).expect("write the damaged copy");
    dir
}

async fn check_refused(file: &str, damage: impl FnOnce(Vec<u8>) -> Vec<u8>, expected: &[&str]) {
    let db = TestDb::with_territories().await;
    let store = db.store().await;
    let before = fingerprint(store.pool()).await;
    let dir = damaged_sources(file, damage);
    let error = import::import(
        store.pool(),
        &Sources {
            reference_dir: &dir.path().join("reference-npm"),
            open_data_dir: Some(&dir.path().join("open")),
        },
    )
    .await
    .expect_err("damaged input must be refused");
    let message = error.to_string();
    let file_name = Path::new(file)
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or(file);
    assert!(message.contains(file_name), "{message}");
    for part in expected {
        assert!(
            message.contains(part),
            "{message:?} should contain {part:?}"
        );
    }
    assert_eq!(
        fingerprint(store.pool()).await,
        before,
        "the database changed"
    );
    store.close().await;
}

fn replace_line(bytes: Vec<u8>, line: usize, new: &str) -> Vec<u8> {
    let text = String::from_utf8(bytes).expect("UTF-8");
    let mut lines: Vec<&str> = text.split("\r\n").collect();
    lines[line - 1] = new;
    lines.join("\r\n").into_bytes()
}

#[tokio::test]
async fn a_truncated_json_file_is_refused_with_its_position() {
    check_refused(
        "reference-npm/communes.json",
        |mut bytes| {
            bytes.truncate(bytes.len() / 2);
            bytes
        },
        &["line 18768, column", "truncated JSON"],
    )
    .await;
}

#[tokio::test]
async fn a_json_record_missing_a_field_is_refused() {
    check_refused(
        "reference-npm/departements.json",
        |bytes| {
            String::from_utf8(bytes)
                .expect("UTF-8")
                .replacen("\"nom\":", "\"name\":", 1)
                .into_bytes()
        },
        &["missing field `nom`", "line"],
    )
    .await;
}

#[tokio::test]
async fn a_malformed_circonscription_code_is_refused_with_line_and_column() {
    check_refused(
        "open/reference/insee-communes-circonscriptions-legislatives.csv",
        |bytes| {
            replace_line(
                bytes,
                3,
                "01;Ain;84;Auvergne-Rhône-Alpes;01002;L'Abergement-de-Varey;01X05;entière",
            )
        },
        &["line 3, column 7", "01X05"],
    )
    .await;
}

#[tokio::test]
async fn a_truncated_csv_row_is_refused() {
    check_refused(
        "open/reference/insee-communes-circonscriptions-legislatives.csv",
        |bytes| {
            replace_line(
                bytes,
                5,
                "01;Ain;84;Auvergne-Rhône-Alpes;01005;Ambérieux-en-Dombes;01004",
            )
        },
        &["line 5", "expected 8 fields, found 7"],
    )
    .await;
}

#[tokio::test]
async fn a_latin1_csv_is_refused_as_not_utf8() {
    check_refused(
        "open/reference/insee-communes-circonscriptions-legislatives.csv",
        |bytes| {
            String::from_utf8(bytes)
                .expect("UTF-8")
                .chars()
                .map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?'))
                .collect()
        },
        &["line 2", "UTF-8"],
    )
    .await;
}

#[tokio::test]
async fn an_unknown_split_type_is_refused() {
    check_refused(
        "open/reference/insee-communes-circonscriptions-legislatives.csv",
        |bytes| {
            replace_line(
                bytes,
                2,
                "01;Ain;84;Auvergne-Rhône-Alpes;01001;L'Abergement-Clémenciat;01004;moitié",
            )
        },
        &["line 2, column 8", "moitié"],
    )
    .await;
}

#[derive(serde::Deserialize)]
struct Hit {
    code: String,
    name: String,
    kind: String,
    departement_name: Option<String>,
}

#[derive(serde::Deserialize)]
struct Results {
    results: Vec<Hit>,
}

async fn search(app: &TestApp, token: &str, query: &str) -> Vec<Hit> {
    let response = reqwest::Client::new()
        .get(app.url("/api/v1/territories"))
        .query(&[("q", query)])
        .bearer_auth(token)
        .send()
        .await
        .expect("search");
    assert_eq!(response.status(), 200);
    response.json::<Results>().await.expect("JSON").results
}

#[tokio::test]
async fn search_ignores_accents_case_and_hyphens_and_ranks_by_population() {
    let app = TestApp::spawn().await;
    let admin = app.create_user(Role::Admin, None).await;
    let token = app.token_for(&admin).await;
    for query in [
        "saint etienne",
        "SAINT-ÉTIENNE",
        "st etienne",
        "Saint Étienne",
    ] {
        let hits = search(&app, &token, query).await;
        assert_eq!(hits[0].code, "42218", "{query}");
        assert_eq!(hits[0].name, "Saint-Étienne");
        assert_eq!(hits[0].departement_name.as_deref(), Some("Loire"));
    }
    // Homonyms come with their département so they can be told apart.
    let hits = search(&app, &token, "saint martin").await;
    assert!(hits.len() >= 10);
    assert!(
        hits.iter()
            .all(|h| h.departement_name.is_some() || h.kind != "commune")
    );
    // Codes find their territory.
    assert_eq!(search(&app, &token, "34").await[0].name, "Hérault");
    assert_eq!(search(&app, &token, "34-01").await[0].code, "34-01");
    assert_eq!(
        search(&app, &token, "l'hay les roses").await[0].name,
        "L'Haÿ-les-Roses"
    );
}

#[tokio::test]
async fn a_scoped_user_only_finds_territories_inside_their_scope() {
    let app = TestApp::spawn().await;
    let militant = app.create_user(Role::Militant, Some("34")).await;
    let token = app.token_for(&militant).await;
    let hits = search(&app, &token, "saint").await;
    assert!(!hits.is_empty());
    assert!(
        hits.iter().all(|h| h.code.starts_with("34")),
        "{:?}",
        hits.iter().map(|h| &h.code).collect::<Vec<_>>()
    );
    assert!(
        search(&app, &token, "saint etienne")
            .await
            .iter()
            .all(|h| h.code != "42218")
    );
}

#[derive(serde::Deserialize)]
struct Detail {
    territory: Hit,
    parents: Vec<Hit>,
    children: Vec<Related>,
}

#[derive(serde::Deserialize)]
struct Related {
    code: String,
    kind: String,
    partial: bool,
}

async fn detail(app: &TestApp, token: &str, code: &str) -> Detail {
    reqwest::Client::new()
        .get(app.url(&format!("/api/v1/territories/{code}")))
        .bearer_auth(token)
        .send()
        .await
        .expect("detail")
        .json()
        .await
        .expect("JSON")
}

#[tokio::test]
async fn a_territory_lists_its_parents_and_children() {
    let app = TestApp::spawn().await;
    let admin = app.create_user(Role::Admin, None).await;
    let token = app.token_for(&admin).await;
    let herault = detail(&app, &token, "34").await;
    assert_eq!(herault.territory.name, "Hérault");
    assert_eq!(herault.parents[0].code, "R76");
    let kinds = |kind: &str| herault.children.iter().filter(|c| c.kind == kind).count();
    assert_eq!(kinds("commune"), 341);
    assert_eq!(kinds("circonscription"), 9);

    let ajaccio = detail(&app, &token, "2A004").await;
    let circos: Vec<&str> = ajaccio
        .parents
        .iter()
        .filter(|p| p.kind == "circonscription")
        .map(|p| p.code.as_str())
        .collect();
    assert_eq!(circos, ["2A-01", "2A-02"]);

    let circo = detail(&app, &token, "2A-01").await;
    assert!(
        circo
            .children
            .iter()
            .any(|c| c.code == "2A004" && c.partial)
    );
    assert_eq!(
        circo.territory.name,
        "1re circonscription de la Corse-du-Sud"
    );
}
