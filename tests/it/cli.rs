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
