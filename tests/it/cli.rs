//! The real `tribun` binary in a temporary home: imports, accounts, tokens.

use std::path::Path;
use std::process::{Command, Output, Stdio};

use crate::support::{TestDb, open_data_dir, reference_dir};

fn tribun(db: &TestDb, home: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tribun"))
        .args(args)
        .current_dir(home)
        .env("TRIBUN_DATABASE_URL", &db.url)
        .env("TRIBUN_REFERENCE_DIR", reference_dir())
        .env_remove("TRIBUN_OPEN_DATA")
        .stdin(Stdio::null())
        .output()
        .expect("run tribun")
}

fn stdout(output: &Output) -> String {
    assert!(
        output.status.success(),
        "tribun failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[tokio::test]
async fn the_binary_imports_territories_and_manages_accounts() {
    let db = TestDb::empty().await;
    let home = tempfile::tempdir().expect("home");
    let open_data = open_data_dir();
    let report = stdout(&tribun(
        &db,
        home.path(),
        &[
            "import",
            "territories",
            "--open-data",
            open_data.to_str().expect("path"),
        ],
    ));
    assert!(report.contains("34969 communes"), "{report}");
    assert!(report.contains("556 circonscriptions"), "{report}");

    let created = stdout(&tribun(
        &db,
        home.path(),
        &[
            "admin",
            "create-user",
            "--email",
            "Chef@Test.Tribun.fr",
            "--role",
            "coordinateur",
            "--scope",
            "34",
        ],
    ));
    assert!(
        created.contains("compte créé : chef@test.tribun.fr"),
        "{created}"
    );
    assert!(created.contains("mot de passe : "), "{created}");

    let listed = stdout(&tribun(&db, home.path(), &["admin", "list-users"]));
    assert!(
        listed.contains("chef@test.tribun.fr\tcoordinateur\t34"),
        "{listed}"
    );

    let token = stdout(&tribun(
        &db,
        home.path(),
        &["admin", "token", "--email", "chef@test.tribun.fr"],
    ));
    assert!(token.trim().starts_with("trb_"), "{token}");

    let reset = stdout(&tribun(
        &db,
        home.path(),
        &["admin", "reset-password", "--email", "chef@test.tribun.fr"],
    ));
    assert!(reset.contains("mot de passe changé"), "{reset}");

    let duplicate = tribun(
        &db,
        home.path(),
        &[
            "admin",
            "create-user",
            "--email",
            "chef@test.tribun.fr",
            "--role",
            "militant",
        ],
    );
    assert!(!duplicate.status.success());
    assert!(String::from_utf8_lossy(&duplicate.stderr).contains("already exists"));
}

#[tokio::test]
async fn a_broken_reference_is_refused_with_the_file_and_position() {
    let db = TestDb::empty().await;
    let home = tempfile::tempdir().expect("home");
    let broken = home.path().join("broken");
    std::fs::create_dir_all(&broken).expect("folder");
    std::fs::write(broken.join("regions.json"), "[{\"code\": \"11\", \"nom\": ").expect("write");
    let output = tribun(
        &db,
        home.path(),
        &[
            "import",
            "territories",
            "--reference",
            broken.to_str().expect("path"),
        ],
    );
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("regions.json: line 1, column"), "{stderr}");
    assert!(stderr.contains("base inchangée"), "{stderr}");
    let store = db.store().await;
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM territories")
        .fetch_one(store.pool())
        .await
        .expect("count");
    assert_eq!(count, 0);
    store.close().await;
}

#[tokio::test]
async fn the_binary_reports_what_a_results_file_holds_and_refuses_bad_ones() {
    let db = TestDb::with_territories().await;
    let home = tempfile::tempdir().expect("home");
    let file =
        open_data_dir().join("elections/herault-34/legislatives-2022-t1-bureaux-de-vote-34.txt");
    let file = file.to_str().expect("path");
    let args = [
        "import",
        "results",
        file,
        "--election",
        "legislatives-2022",
        "--round",
        "1",
    ];
    let dry = stdout(&tribun(
        &db,
        home.path(),
        &[&args[..], &["--dry-run"]].concat(),
    ));
    for expected in [
        "Latin-1",
        "large (un bloc de 8 colonnes par candidat)",
        "niveau : bureau",
        "943 territoires",
        "inscrits 852554",
        "essai à blanc",
    ] {
        assert!(dry.contains(expected), "{expected:?} missing from {dry}");
    }
    let store = db.store().await;
    let sets = || async {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM result_sets")
            .fetch_one(store.pool())
            .await
            .expect("count")
    };
    assert_eq!(sets().await, 0, "a dry run writes nothing");
    assert!(stdout(&tribun(&db, home.path(), &args)).contains("importé"));
    let again = stdout(&tribun(&db, home.path(), &args));
    assert!(again.contains("déjà importé"), "{again}");
    assert_eq!(sets().await, 1);

    let damaged = home.path().join("damaged.csv");
    std::fs::write(
        &damaged,
        "Code du département;Inscrits;Votants;Exprimés;Nom;Voix\n34;12;x;8;A;8\n",
    )
    .expect("write");
    let output = tribun(
        &db,
        home.path(),
        &[
            "import",
            "results",
            damaged.to_str().expect("path"),
            "--election",
            "legislatives-2022",
            "--round",
            "1",
        ],
    );
    assert!(!output.status.success());
    let error = String::from_utf8_lossy(&output.stderr);
    assert!(error.contains("line 2, column 3 (Votants)"), "{error}");
    assert_eq!(sets().await, 1);
}
