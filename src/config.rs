//! Configuration: one typed struct built once from defaults < `tribun.toml` < `TRIBUN_*`.

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

/// Where the commune reference lands when the project's setup runs `npm ci`.
pub const DEFAULT_REFERENCE_DIR: &str = "node_modules/@etalab/decoupage-administratif/data";

#[derive(Clone, Serialize, Deserialize)]
pub struct Config {
    /// Folder for the SQLite file and anything a node keeps locally.
    pub data_dir: PathBuf,
    /// `postgres://…` or `sqlite://…`; empty means `sqlite://{data_dir}/tribun.db`.
    pub database_url: String,
    /// Address the web server listens on.
    pub bind: SocketAddr,
    /// The address users reach the server at; cookies are `Secure` when it is https.
    pub public_url: String,
    /// The JSON files of `@etalab/decoupage-administratif`.
    pub reference_dir: PathBuf,
    /// The folder of official open data (`../shared/data` layout), when present.
    pub open_data: Option<PathBuf>,
    /// `text` or `json` log lines.
    pub log_format: LogFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            data_dir: PathBuf::from("data"),
            database_url: String::new(),
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            public_url: "http://127.0.0.1:8080".to_owned(),
            reference_dir: PathBuf::from(DEFAULT_REFERENCE_DIR),
            open_data: None,
            log_format: LogFormat::Text,
        }
    }
}

impl Config {
    /// Reads `tribun.toml` (or the file named by `TRIBUN_CONFIG`) and the environment.
    pub fn load() -> Result<Self, Box<figment::Error>> {
        let file = std::env::var_os("TRIBUN_CONFIG")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("tribun.toml"));
        Self::load_from(&file)
    }

    pub fn load_from(file: &Path) -> Result<Self, Box<figment::Error>> {
        Figment::from(Serialized::defaults(Self::default()))
            .merge(Toml::file(file))
            .merge(Env::prefixed("TRIBUN_").ignore(&["config"]))
            .extract()
            .map_err(Box::new)
    }

    /// The database URL, defaulting to a SQLite file in the data directory.
    pub fn database_url(&self) -> String {
        if self.database_url.is_empty() {
            format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("tribun.db").display()
            )
        } else {
            self.database_url.clone()
        }
    }

    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}

/// Hides the password of a database URL.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            let user = credentials.split(':').next().unwrap_or_default();
            format!("{}{user}:***{}", &url[..scheme + 3], &url[at..])
        }
        _ => url.to_owned(),
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("data_dir", &self.data_dir)
            .field("database_url", &redact_url(&self.database_url))
            .field("bind", &self.bind)
            .field("public_url", &self.public_url)
            .field("reference_dir", &self.reference_dir)
            .field("open_data", &self.open_data)
            .field("log_format", &self.log_format)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_passwords_never_reach_debug_output() {
        let config = Config {
            database_url: "postgres://tribun:s3cret@db.example/tribun".to_owned(),
            ..Config::default()
        };
        let debug = format!("{config:?}");
        assert!(!debug.contains("s3cret"), "{debug}");
        assert!(
            debug.contains("postgres://tribun:***@db.example/tribun"),
            "{debug}"
        );
    }
}
