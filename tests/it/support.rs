//! Test support: a fresh database per test (SQLite file or PostgreSQL database, copied from a
//! template that holds the imported territories), the real application on port 0, and HTTP
//! helpers that behave like a browser (cookies, CSRF field).
//!
//! `TRIBUN_TEST_DATABASE=postgres` runs the suite on PostgreSQL (server at
//! `TRIBUN_TEST_POSTGRES`, default `postgres://postgres@127.0.0.1:5432`); SQLite otherwise.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use sha2::{Digest, Sha256};
use sqlx::{AnyConnection, Connection, Executor};
use tribun::accounts::{self, NewUser, Role, User, tokens};
use tribun::config::Config;
use tribun::startup::Application;
use tribun::store::Store;
use tribun::territories::import::{Sources, import};

pub const PASSWORD: &str = "un mot de passe de test";

pub fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn reference_dir() -> PathBuf {
    manifest_dir().join(tribun::config::DEFAULT_REFERENCE_DIR)
}

/// `../shared/data`, next to the clone.
pub fn open_data_dir() -> PathBuf {
    manifest_dir().join("../shared/data")
}

pub fn is_postgres() -> bool {
    std::env::var("TRIBUN_TEST_DATABASE").is_ok_and(|v| v == "postgres")
}

fn postgres_server() -> String {
    std::env::var("TRIBUN_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".to_owned())
}

/// A database for one test, dropped (PostgreSQL) or deleted (SQLite) afterwards.
pub struct TestDb {
    pub url: String,
    postgres_name: Option<String>,
    _dir: tempfile::TempDir,
}

impl TestDb {
    /// A migrated, empty database.
    pub async fn empty() -> Self {
        Self::create(false).await
    }

    /// A database holding every territory of the reference and of `../shared/data`.
    pub async fn with_territories() -> Self {
        Self::create(true).await
    }

    async fn create(with_territories: bool) -> Self {
        let dir = tempfile::tempdir().expect("temporary directory");
        if !is_postgres() {
            let path = dir.path().join("tribun.db");
            if with_territories {
                std::fs::copy(sqlite_template().await, &path).expect("copy the template");
            }
            let url = format!("sqlite://{}?mode=rwc", path.display());
            Store::open(&url).await.expect("open SQLite").close().await;
            return Self {
                url,
                postgres_name: None,
                _dir: dir,
            };
        }
        let name = format!("tribun_test_{}", unique_suffix());
        let template = if with_territories {
            postgres_template().await
        } else {
            "template0".to_owned()
        };
        let mut admin = admin_connection().await;
        admin
            .execute(sqlx::AssertSqlSafe(format!(
                "CREATE DATABASE {name} TEMPLATE {template}"
            )))
            .await
            .expect("create the test database");
        admin.close().await.ok();
        let url = format!("{}/{name}", postgres_server());
        Store::open(&url)
            .await
            .expect("open PostgreSQL")
            .close()
            .await;
        Self {
            url,
            postgres_name: Some(name),
            _dir: dir,
        }
    }

    pub async fn store(&self) -> Store {
        Store::open(&self.url)
            .await
            .expect("open the test database")
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(name) = &self.postgres_name {
            // Drop runs outside async code: psql is the simplest synchronous client at hand.
            let _ = std::process::Command::new("psql")
                .arg(format!("{}/postgres", postgres_server()))
                .arg("-qc")
                .arg(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .output();
        }
    }
}

fn unique_suffix() -> String {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    format!(
        "{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or_default()
    )
}

async fn admin_connection() -> AnyConnection {
    sqlx::any::install_default_drivers();
    AnyConnection::connect(&format!("{}/postgres", postgres_server()))
        .await
        .expect("connect to the PostgreSQL server")
}

/// Identifies what the template contains: the migrations, the importer and the sources.
fn template_key() -> String {
    let mut hasher = Sha256::new();
    let mut files: Vec<PathBuf> = Vec::new();
    for dir in [
        "migrations/sqlite",
        "migrations/postgres",
        "src/territories",
    ] {
        for entry in std::fs::read_dir(manifest_dir().join(dir)).expect("read sources") {
            files.push(entry.expect("directory entry").path());
        }
    }
    files.push(manifest_dir().join("package-lock.json"));
    files.sort();
    for file in files {
        hasher.update(std::fs::read(&file).unwrap_or_default());
    }
    hasher
        .finalize()
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Runs `build` once across every test process, under a file lock.
fn templates_dir() -> PathBuf {
    let dir = manifest_dir().join("target/test-templates");
    std::fs::create_dir_all(&dir).expect("create target/test-templates");
    dir
}

async fn import_all(url: &str) {
    let store = Store::open(url).await.expect("open the template");
    import(
        store.pool(),
        &Sources {
            reference_dir: &reference_dir(),
            open_data_dir: Some(&open_data_dir()),
        },
    )
    .await
    .expect("import territories into the template");
    store.close().await;
}

async fn sqlite_template() -> PathBuf {
    let dir = templates_dir();
    let path = dir.join(format!("territories-{}.db", template_key()));
    let lock = std::fs::File::create(dir.join("sqlite.lock")).expect("lock file");
    lock.lock().expect("lock the templates");
    if !path.exists() {
        let building = dir.join(format!("building-{}.db", std::process::id()));
        import_all(&format!("sqlite://{}?mode=rwc", building.display())).await;
        std::fs::rename(&building, &path).expect("publish the template");
    }
    lock.unlock().expect("unlock the templates");
    path
}

async fn postgres_template() -> String {
    let name = format!("tribun_template_{}", template_key());
    let lock = std::fs::File::create(templates_dir().join("postgres.lock")).expect("lock file");
    lock.lock().expect("lock the templates");
    let mut admin = admin_connection().await;
    let exists: Option<i64> =
        sqlx::query_scalar("SELECT 1::BIGINT FROM pg_database WHERE datname = $1")
            .bind(&name)
            .fetch_optional(&mut admin)
            .await
            .expect("look for the template");
    if exists.is_none() {
        let building = format!("tribun_building_{}", unique_suffix());
        admin
            .execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {building}")))
            .await
            .expect("create the template");
        import_all(&format!("{}/{building}", postgres_server())).await;
        admin
            .execute(sqlx::AssertSqlSafe(format!(
                "ALTER DATABASE {building} RENAME TO {name}"
            )))
            .await
            .expect("publish the template");
    }
    admin.close().await.ok();
    lock.unlock().expect("unlock the templates");
    name
}

/// The real application on a random port, on its own database.
pub struct TestApp {
    pub address: String,
    pub db: TestDb,
    pub store: Store,
    _data_dir: tempfile::TempDir,
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_on(TestDb::with_territories().await).await
    }

    pub async fn spawn_on(db: TestDb) -> Self {
        let data_dir = tempfile::tempdir().expect("data directory");
        let config = Config {
            data_dir: data_dir.path().to_owned(),
            database_url: db.url.clone(),
            bind: "127.0.0.1:0".parse().expect("address"),
            ..Config::default()
        };
        let application = Application::build(config)
            .await
            .expect("build the application");
        let address = format!("http://127.0.0.1:{}", application.port());
        let store = application.store().clone();
        tokio::spawn(application.run_until_stopped(std::future::pending()));
        Self {
            address,
            db,
            store,
            _data_dir: data_dir,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// Creates a user with [`PASSWORD`].
    pub async fn create_user(&self, role: Role, scope: Option<&str>) -> User {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let email = format!(
            "{}-{}@test.tribun.fr",
            role.as_str(),
            COUNTER.fetch_add(1, Ordering::SeqCst)
        );
        accounts::create_user(
            self.store.pool(),
            NewUser {
                email: &email,
                display_name: "",
                password: PASSWORD,
                role,
                scope_code: scope,
            },
        )
        .await
        .expect("create a user")
    }

    pub async fn token_for(&self, user: &User) -> String {
        tokens::create(self.store.pool(), user.id, "tests")
            .await
            .expect("create a token")
    }

    /// A client that keeps cookies and does not follow redirects, like a browser tab whose
    /// every step the test checks.
    pub fn browser(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("HTTP client")
    }

    /// Signs `client` in and returns the response to the sign-in form.
    pub async fn sign_in(
        &self,
        client: &reqwest::Client,
        email: &str,
        password: &str,
    ) -> reqwest::Response {
        let csrf = self.csrf_token(client, "/connexion").await;
        client
            .post(self.url("/connexion"))
            .form(&[
                ("email", email),
                ("password", password),
                ("csrf_token", &csrf),
            ])
            .send()
            .await
            .expect("sign in")
    }

    /// The CSRF token in the form of the page at `path`.
    pub async fn csrf_token(&self, client: &reqwest::Client, path: &str) -> String {
        let html = client
            .get(self.url(path))
            .send()
            .await
            .expect("load the form")
            .text()
            .await
            .expect("read the form");
        csrf_in(&html)
    }
}

/// The value of the `csrf_token` hidden field of a page.
pub fn csrf_in(html: &str) -> String {
    let marker = "name=\"csrf_token\" value=\"";
    let start = html.find(marker).expect("the page has a CSRF field") + marker.len();
    let end = html[start..].find('"').expect("end of the CSRF value") + start;
    html[start..end].to_owned()
}

/// Polls `/healthz` until the server answers.
pub async fn wait_until_healthy(address: &str) {
    let client = reqwest::Client::new();
    for _ in 0..600 {
        if let Ok(response) = client.get(format!("{address}/healthz")).send().await
            && response.status().is_success()
        {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("{address} never became healthy");
}

/// A `tribun serve` process on a free port, its log written to a file.
pub struct ServerProcess {
    pub address: String,
    pub log: PathBuf,
    child: std::process::Child,
    _dir: tempfile::TempDir,
}

impl ServerProcess {
    pub async fn start(database_url: &str) -> Self {
        let dir = tempfile::tempdir().expect("server directory");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        let log = dir.path().join("server.log");
        let child = std::process::Command::new(env!("CARGO_BIN_EXE_tribun"))
            .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
            .current_dir(dir.path())
            .env("TRIBUN_DATABASE_URL", database_url)
            .env("TRIBUN_LOG", "debug")
            .stdout(std::fs::File::create(dir.path().join("stdout.log")).expect("log file"))
            .stderr(std::fs::File::create(&log).expect("log file"))
            .spawn()
            .expect("start tribun serve");
        let address = format!("http://127.0.0.1:{port}");
        wait_until_healthy(&address).await;
        Self {
            address,
            log,
            child,
            _dir: dir,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// Stops the server and returns everything it logged.
    pub fn stop(mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        std::fs::read_to_string(&self.log).expect("read the log")
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
