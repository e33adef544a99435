//! Maps, target lists and fiches over the real results: SVG and PNG maps, ranked lists exported
//! as CSV and XLSX (read back), settings that change the ranking, and the fiche PDF of 34-01
//! read back with `pdftotext`.

use std::io::Cursor;

use calamine::{DataType, Reader, Xlsx};
use tribun::accounts::Role;
use tribun::elections::outcome;

use crate::elections::import_file;
use crate::support::TestApp;

const HERAULT_2022_T1: &str = "herault-34/legislatives-2022-t1-bureaux-de-vote-34.txt";
const NATIONAL_2022_T1: &str =
    "national/legislatives-2022-resultats-par-niveau-cirlg-t1-france-entiere.xlsx";
const NATIONAL_2022_T2: &str =
    "national/legislatives-2022-resultats-par-niveau-cirlg-t2-france-entiere.xlsx";

async fn admin_client(app: &TestApp) -> (reqwest::Client, String) {
    let admin = app.create_user(Role::Admin, None).await;
    (reqwest::Client::new(), app.token_for(&admin).await)
}

/// Normal spaces for the no-break spaces of French typography, so text compares plainly.
fn plain(text: &str) -> String {
    text.replace(['\u{a0}', '\u{202f}'], " ")
}

#[tokio::test]
async fn the_herault_map_has_nine_linked_circonscriptions_a_legend_and_a_png_export() {
    let app = TestApp::spawn().await;
    import_file(&app, HERAULT_2022_T1, "legislatives-2022", 1)
        .await
        .expect("import");
    let (client, token) = admin_client(&app).await;
    let query = "election=legislatives-2022&indicator=participation&territory=34";
    let response = client
        .get(app.url(&format!("/api/v1/maps/circonscription.svg?{query}")))
        .bearer_auth(&token)
        .send()
        .await
        .expect("map");
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .expect("type")
            .starts_with("image/svg+xml")
    );
    let svg = response.text().await.expect("svg");
    assert_eq!(svg.matches(r#"class="shape""#).count(), 9);
    for circo in 1..=9 {
        assert!(
            svg.contains(&format!(r#"<a href="/territoires/34-0{circo}">"#)),
            "34-0{circo}"
        );
    }
    assert!(
        !svg.contains("pas de données :"),
        "every circonscription has a value"
    );
    assert!(svg.contains(r#"class="legend""#));
    assert!(svg.contains("Licence Ouverte"));

    let png = client
        .get(app.url(&format!("/api/v1/maps/circonscription.png?{query}")))
        .bearer_auth(&token)
        .send()
        .await
        .expect("png");
    assert_eq!(png.status(), 200);
    let bytes = png.bytes().await.expect("bytes");
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"));

    for (path, status) in [
        (
            "/api/v1/maps/circonscription.svg?election=legislatives-2022&indicator=violet",
            400,
        ),
        ("/api/v1/maps/canton.svg?election=legislatives-2022", 404),
        (
            "/api/v1/maps/circonscription.gif?election=legislatives-2022",
            404,
        ),
        (
            "/api/v1/maps/circonscription.svg?election=legislatives-2022&indicator=evolution:participation",
            400,
        ),
    ] {
        let response = client
            .get(app.url(path))
            .bearer_auth(&token)
            .send()
            .await
            .expect("refused");
        assert_eq!(response.status(), status, "{path}");
        let body: serde_json::Value = response.json().await.expect("envelope");
        assert!(body["errors"][0]["detail"].is_string(), "{path}: {body}");
    }
}

#[tokio::test]
async fn the_target_list_ranks_communes_and_exports_csv_and_xlsx() {
    let app = TestApp::spawn().await;
    import_file(&app, HERAULT_2022_T1, "legislatives-2022", 1)
        .await
        .expect("import");
    let (client, token) = admin_client(&app).await;
    let get = |path: String| client.get(app.url(&path)).bearer_auth(&token).send();
    let list: serde_json::Value =
        get("/api/v1/targets?territory=34-01&level=commune&election=legislatives-2022".into())
            .await
            .expect("list")
            .json()
            .await
            .expect("JSON");
    let targets = list["targets"].as_array().expect("targets");
    assert!(targets.len() > 1, "{list}");
    let scores: Vec<f64> = targets
        .iter()
        .map(|t| t["score"].as_f64().expect("score"))
        .collect();
    assert!(
        scores.windows(2).all(|w| w[0] >= w[1]),
        "best first: {scores:?}"
    );
    // Montpellier is split across circonscriptions: only its bureaux of 34-01 count here, so
    // the communes add up to the circonscription.
    let inscrits: i64 = targets
        .iter()
        .map(|t| t["inscrits"].as_i64().expect("inscrits"))
        .sum();
    assert_eq!(inscrits, 90_089);
    for (i, target) in targets.iter().enumerate() {
        assert_eq!(target["rank"], i + 1);
        assert!(target["code"].as_str().expect("code").starts_with("34"));
    }

    // Size alone: the commune with the most inscrits comes first.
    let response = client
        .put(app.url("/api/v1/targeting/settings"))
        .bearer_auth(&token)
        .json(&serde_json::json!({"bloc": "gauche", "weight_reserve": 0, "weight_persuadables": 0, "weight_size": 100}))
        .send()
        .await
        .expect("settings");
    assert_eq!(response.status(), 200);
    let by_size: serde_json::Value =
        get("/api/v1/targets?territory=34-01&level=commune&election=legislatives-2022".into())
            .await
            .expect("list")
            .json()
            .await
            .expect("JSON");
    let biggest = targets
        .iter()
        .max_by_key(|t| t["inscrits"].as_i64().expect("inscrits"))
        .expect("one");
    assert_eq!(by_size["targets"][0]["code"], biggest["code"]);
    assert_eq!(by_size["settings"]["weight_size"], 100);
    let refused = client
        .put(app.url("/api/v1/targeting/settings"))
        .bearer_auth(&token)
        .json(&serde_json::json!({"bloc": "violet", "weight_reserve": 1, "weight_persuadables": 0, "weight_size": 0}))
        .send()
        .await
        .expect("settings");
    assert_eq!(refused.status(), 400);

    // Moving a nuance to another bloc changes the bloc shares: the reserve of the default
    // bloc (gauche) falls to nothing when its nuances leave it.
    let table: serde_json::Value = get("/api/v1/nuances".into())
        .await
        .expect("nuances")
        .json()
        .await
        .expect("JSON");
    let gauche: Vec<String> = table["nuances"]
        .as_array()
        .expect("nuances")
        .iter()
        .filter(|n| n["bloc"] == "gauche")
        .map(|n| n["nuance"].as_str().expect("code").to_owned())
        .collect();
    assert!(gauche.contains(&"NUP".to_owned()), "{table}");
    for nuance in &gauche {
        let moved = client
            .put(app.url(&format!("/api/v1/nuances/{nuance}")))
            .bearer_auth(&token)
            .json(&serde_json::json!({"bloc": "divers"}))
            .send()
            .await
            .expect("nuance");
        assert_eq!(moved.status(), 200, "{nuance}");
    }
    let without_gauche: serde_json::Value =
        get("/api/v1/targets?territory=34-01&level=commune&election=legislatives-2022".into())
            .await
            .expect("list")
            .json()
            .await
            .expect("JSON");
    for target in without_gauche["targets"].as_array().expect("targets") {
        assert_eq!(target["bloc_share"].as_f64(), Some(0.0), "{target}");
    }
    let bad = client
        .put(app.url("/api/v1/nuances/NUP"))
        .bearer_auth(&token)
        .json(&serde_json::json!({"bloc": "violet"}))
        .send()
        .await
        .expect("nuance");
    assert_eq!(bad.status(), 400);

    let csv = get(
        "/api/v1/targets?territory=34-01&level=commune&election=legislatives-2022&format=csv"
            .into(),
    )
    .await
    .expect("csv")
    .text()
    .await
    .expect("text");
    let lines: Vec<&str> = csv.lines().collect();
    assert!(
        lines[0].starts_with("Rang;Code;Territoire;Inscrits;"),
        "{}",
        lines[0]
    );
    assert_eq!(lines.len(), targets.len() + 1);
    let first_code = by_size["targets"][0]["code"].as_str().expect("code");
    assert!(
        lines[1].starts_with(&format!("1;{first_code};")),
        "{}",
        lines[1]
    );

    let xlsx = get(
        "/api/v1/targets?territory=34-01&level=commune&election=legislatives-2022&format=xlsx"
            .into(),
    )
    .await
    .expect("xlsx")
    .bytes()
    .await
    .expect("bytes");
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(xlsx.to_vec())).expect("an xlsx workbook");
    let sheet = workbook
        .worksheet_range("Cibles")
        .expect("the Cibles sheet");
    assert_eq!(sheet.height(), targets.len() + 1);
    assert_eq!(
        sheet.get((1, 1)).map(|c| c.to_string()).as_deref(),
        Some(first_code)
    );
    assert_eq!(sheet.get((1, 0)).and_then(|c| c.as_f64()), Some(1.0));
}

#[tokio::test]
async fn the_fiche_of_34_01_names_its_deputy_and_its_participation() {
    let app = TestApp::spawn().await;
    for (file, round) in [
        (NATIONAL_2022_T1, 1),
        (NATIONAL_2022_T2, 2),
        (HERAULT_2022_T1, 1),
    ] {
        import_file(&app, file, "legislatives-2022", round)
            .await
            .expect("import");
    }
    let imported = outcome(app.store.pool(), "legislatives-2022", 1, Some("34-01"))
        .await
        .expect("outcome")
        .expect("34-01");
    let participation = format!("{:.2} %", imported.participation).replace('.', ",");

    let (client, token) = admin_client(&app).await;
    let response = client
        .get(app.url("/api/v1/fiches/34-01.pdf"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("fiche");
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/pdf");
    let pdf = response.bytes().await.expect("pdf");
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("fiche.pdf");
    std::fs::write(&path, &pdf).expect("write");
    let output = std::process::Command::new("pdftotext")
        .args(["-layout", path.to_str().expect("path"), "-"])
        .output()
        .expect("pdftotext (poppler-utils)");
    assert!(output.status.success());
    let text = plain(&String::from_utf8_lossy(&output.stdout));
    assert!(text.contains("1re circonscription de l'Hérault"), "{text}");
    assert!(text.contains("Patricia MIRALLES"), "{text}");
    assert!(text.contains(&participation), "{participation} in {text}");
    assert!(text.contains("Zones prioritaires"), "{text}");
    assert!(!text.contains("Actualité locale"), "no news yet: {text}");

    // The page says the same.
    let page = client
        .get(app.url("/territoires/34-01/fiche"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(plain(&page).contains(&participation));
    assert!(page.contains("Patricia MIRALLES"));

    let unknown = client
        .get(app.url("/api/v1/fiches/34-99.pdf"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("unknown");
    assert_eq!(unknown.status(), 404);
}

#[tokio::test]
async fn the_election_page_shows_the_national_table_and_the_34_08_difference() {
    let app = TestApp::spawn().await;
    import_file(&app, NATIONAL_2022_T1, "legislatives-2022", 1)
        .await
        .expect("import");
    import_file(&app, HERAULT_2022_T1, "legislatives-2022", 1)
        .await
        .expect("import");
    let (client, token) = admin_client(&app).await;
    let page = client
        .get(app.url("/elections/legislatives-2022"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(
        page.contains("Résultats par nuance"),
        "législatives are grouped by nuance"
    );
    assert!(page.contains("48953800"), "national inscrits");
    assert!(page.contains(r#"class="shape""#), "the national map");
    assert!(page.contains("34-08"), "the consistency difference");
}
