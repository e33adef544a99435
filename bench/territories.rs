//! Territory name search and sign-in throughput, against their peers on the same input.
//!
//! Search: 1,000 queries built from real commune names, lower-cased, unaccented and cut to a
//! prefix as people type them, run by `territories::search` on SQLite (and PostgreSQL when
//! `TRIBUN_BENCH_POSTGRES` names a server), by pandas and by DuckDB (bench/peers.py).
//! Sign-in: full HTTP sign-ins against the real application, against raw Argon2id
//! verifications with the same parameters (RustCrypto here, argon2-cffi in Python).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use sqlx::{AnyConnection, Connection, Executor};
use tribun::accounts::{self, NewUser, Role};
use tribun::config::Config;
use tribun::startup::Application;
use tribun::store::Store;
use tribun::territories::import::{Sources, import};
use tribun::territories::{normalise_name, search};

const PASSWORD: &str = "un mot de passe de test";

struct Percentiles {
    p50: Duration,
    p99: Duration,
}

fn percentiles(mut samples: Vec<Duration>) -> Percentiles {
    samples.sort();
    Percentiles {
        p50: samples[samples.len() / 2],
        p99: samples[samples.len() * 99 / 100],
    }
}

fn manifest() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn queries(communes_json: &Path) -> Vec<String> {
    let communes: Vec<serde_json::Value> =
        serde_json::from_slice(&std::fs::read(communes_json).expect("communes.json"))
            .expect("JSON");
    communes
        .iter()
        .filter(|c| c["type"] == "commune-actuelle")
        .step_by(34)
        .take(1000)
        .enumerate()
        .map(|(index, c)| {
            let name = normalise_name(c["nom"].as_str().unwrap_or_default());
            // Half the queries are whole names, half are what someone has typed so far.
            if index % 2 == 0 {
                name
            } else {
                name.chars().take(5).collect::<String>().trim().to_owned()
            }
        })
        .filter(|q| !q.is_empty())
        .collect()
}

async fn time_search(store: &Store, queries: &[String]) -> Percentiles {
    for query in queries.iter().take(50) {
        search(store.pool(), query, None, 20)
            .await
            .expect("warm-up");
    }
    let mut samples = Vec::with_capacity(queries.len());
    for query in queries {
        let started = Instant::now();
        search(store.pool(), query, None, 20).await.expect("search");
        samples.push(started.elapsed());
    }
    percentiles(samples)
}

async fn imported_store(url: &str, reference: &Path, open_data: &Path) -> Store {
    let store = Store::open(url).await.expect("open the database");
    import(
        store.pool(),
        &Sources {
            reference_dir: reference,
            open_data_dir: Some(open_data),
        },
    )
    .await
    .expect("import");
    store
}

/// Sign-ins per second over HTTP with `clients` concurrent browsers.
async fn sign_in_throughput(store: Store, clients: usize, per_client: usize) -> f64 {
    let user = accounts::create_user(
        store.pool(),
        NewUser {
            email: &format!("bench-{clients}@test.tribun.fr"),
            display_name: "",
            password: PASSWORD,
            role: Role::Militant,
            scope_code: None,
        },
    )
    .await
    .expect("user");
    let config = Config {
        bind: "127.0.0.1:0".parse().expect("address"),
        ..Config::default()
    };
    let application = Application::with_store(config, store).await.expect("app");
    let address = format!("http://127.0.0.1:{}", application.port());
    tokio::spawn(application.run_until_stopped(std::future::pending()));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let address = address.clone();
        let email = user.email.clone();
        tasks.push(tokio::spawn(async move {
            // No cookie store: every sign-in presents the pre-sign-in CSRF cookie, not the
            // session the previous one opened (whose forms carry another token).
            let client = reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client");
            let form = client
                .get(format!("{address}/connexion"))
                .send()
                .await
                .expect("form");
            let cookie = form
                .headers()
                .get(reqwest::header::SET_COOKIE)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.split(';').next())
                .expect("the CSRF cookie")
                .to_owned();
            let html = form.text().await.expect("html");
            let marker = "name=\"csrf_token\" value=\"";
            let start = html.find(marker).expect("csrf") + marker.len();
            let csrf = html[start..start + 43].to_owned();
            for _ in 0..per_client {
                let response = client
                    .post(format!("{address}/connexion"))
                    .header(reqwest::header::COOKIE, &cookie)
                    .form(&[
                        ("email", email.as_str()),
                        ("password", PASSWORD),
                        ("csrf_token", csrf.as_str()),
                    ])
                    .send()
                    .await
                    .expect("sign in");
                assert_eq!(response.status(), 303);
            }
        }));
    }
    for task in tasks {
        task.await.expect("client");
    }
    (clients * per_client) as f64 / started.elapsed().as_secs_f64()
}

fn raw_argon2_per_second() -> f64 {
    use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
    let argon2 = argon2::Argon2::new(
        argon2::Algorithm::Argon2id,
        argon2::Version::V0x13,
        argon2::Params::new(19 * 1024, 2, 1, None).expect("params"),
    );
    let salt = SaltString::encode_b64(b"benchmark-salt!!").expect("salt");
    let hash = argon2
        .hash_password(PASSWORD.as_bytes(), &salt)
        .expect("hash")
        .to_string();
    let parsed = PasswordHash::new(&hash).expect("parse");
    let count = 50;
    let started = Instant::now();
    for _ in 0..count {
        argon2
            .verify_password(PASSWORD.as_bytes(), &parsed)
            .expect("verify");
    }
    f64::from(count) / started.elapsed().as_secs_f64()
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

#[tokio::main]
async fn main() {
    let reference = manifest().join(tribun::config::DEFAULT_REFERENCE_DIR);
    let open_data = manifest().join("../shared/data");
    let work = tempfile::tempdir().expect("temporary directory");
    let queries = queries(&reference.join("communes.json"));
    let queries_file = work.path().join("queries.txt");
    std::fs::write(&queries_file, queries.join("\n")).expect("write queries");
    println!("{} queries over 34,969 communes", queries.len());

    let sqlite_url = format!(
        "sqlite://{}?mode=rwc",
        work.path().join("bench.db").display()
    );
    let sqlite = imported_store(&sqlite_url, &reference, &open_data).await;
    let ours_sqlite = time_search(&sqlite, &queries).await;

    let ours_postgres = match std::env::var("TRIBUN_BENCH_POSTGRES") {
        Ok(server) => {
            sqlx::any::install_default_drivers();
            let mut admin = AnyConnection::connect(&format!("{server}/postgres"))
                .await
                .expect("server");
            let name = format!("tribun_bench_{}", std::process::id());
            admin
                .execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .await
                .expect("create");
            let store = imported_store(&format!("{server}/{name}"), &reference, &open_data).await;
            let timing = time_search(&store, &queries).await;
            store.close().await;
            admin
                .execute(sqlx::AssertSqlSafe(format!(
                    "DROP DATABASE {name} WITH (FORCE)"
                )))
                .await
                .expect("drop");
            Some(timing)
        }
        Err(_) => None,
    };

    let python = std::env::var("TRIBUN_BENCH_PYTHON").unwrap_or_else(|_| "python3".to_owned());
    let peers = std::process::Command::new(python)
        .arg(manifest().join("bench/peers.py"))
        .arg(&queries_file)
        .arg(reference.join("communes.json"))
        .output()
        .expect("run bench/peers.py");
    assert!(
        peers.status.success(),
        "{}",
        String::from_utf8_lossy(&peers.stderr)
    );
    let peers: serde_json::Value = serde_json::from_slice(&peers.stdout).expect("peers JSON");

    println!("\nTerritory name search (20 best, ranked by match then population)");
    println!(
        "{:<28} {:>10} {:>10} {:>14}",
        "engine", "p50 µs", "p99 µs", "p50 vs Tribun"
    );
    let base = micros(ours_sqlite.p50);
    let mut rows = vec![(
        "Tribun on SQLite".to_owned(),
        micros(ours_sqlite.p50),
        micros(ours_sqlite.p99),
    )];
    if let Some(pg) = &ours_postgres {
        rows.push((
            "Tribun on PostgreSQL".to_owned(),
            micros(pg.p50),
            micros(pg.p99),
        ));
    }
    for peer in ["pandas", "duckdb"] {
        rows.push((
            format!("{peer} (same folding)"),
            peers[peer]["p50_us"].as_f64().unwrap_or(f64::NAN),
            peers[peer]["p99_us"].as_f64().unwrap_or(f64::NAN),
        ));
    }
    for (name, p50, p99) in rows {
        println!("{name:<28} {p50:>10.0} {p99:>10.0} {:>13.2}×", p50 / base);
    }

    let raw = raw_argon2_per_second();
    let cffi = peers["argon2_cffi_verifications_per_s"]
        .as_f64()
        .unwrap_or(f64::NAN);
    let one = sign_in_throughput(sqlite.clone(), 1, 40).await;
    let four = sign_in_throughput(sqlite, 4, 20).await;
    println!(
        "\nSign-in with Argon2id m=19 MiB t=2 p=1 ({} cores)",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    );
    println!(
        "{:<40} {:>12} {:>14}",
        "measure", "per second", "vs raw verify"
    );
    for (name, rate) in [
        ("raw verify, RustCrypto argon2", raw),
        ("raw verify, argon2-cffi (peer)", cffi),
        ("HTTP sign-in, 1 client", one),
        ("HTTP sign-in, 4 concurrent clients", four),
    ] {
        println!("{name:<40} {rate:>12.1} {:>13.2}×", rate / raw);
    }
}
