//! `tribun fiches`: print-ready PDF fiches for some territories, or every circonscription.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use territory_codes::TerritoryCode;
use tribun_print::Printer;

use crate::config::Config;
use crate::fiches;
use crate::store::{Store, now};

#[derive(Debug, clap::Args)]
pub struct Opts {
    /// Territory codes (34-01, 34172, 34…).
    codes: Vec<String>,
    /// Every circonscription législative (577).
    #[arg(long, conflicts_with = "codes")]
    all: bool,
    /// The folder the PDF files are written to (created if needed).
    #[arg(long)]
    out: PathBuf,
}

pub async fn run(config: Config, opts: Opts) -> anyhow::Result<()> {
    let codes = if opts.all {
        None
    } else {
        if opts.codes.is_empty() {
            anyhow::bail!("donnez des codes de territoire, ou --all pour les 577 circonscriptions");
        }
        Some(
            opts.codes
                .iter()
                .map(|raw| {
                    TerritoryCode::parse(raw)
                        .map(|c| c.to_string())
                        .map_err(|e| anyhow::anyhow!("code de territoire invalide {raw:?} : {e}"))
                })
                .collect::<anyhow::Result<Vec<String>>>()?,
        )
    };
    let store = Store::open(&config.database_url()).await?;
    let pool = store.pool();
    let codes = match codes {
        Some(codes) => codes,
        None => fiches::all_circonscriptions(pool).await?,
    };
    std::fs::create_dir_all(&opts.out)
        .with_context(|| format!("failed to create {}", opts.out.display()))?;
    let started = Instant::now();
    let printer = Printer::new();
    let date = crate::french::date(now());
    // Drawn on standard error only when it is a terminal.
    let bar = indicatif::ProgressBar::new(codes.len() as u64).with_style(
        indicatif::ProgressStyle::with_template("{msg} {wide_bar} {pos}/{len} fiches ({eta})")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar.set_message("impression");
    for code in &codes {
        let fiche = fiches::assemble(pool, code, &date)
            .await?
            .with_context(|| format!("territoire inconnu : {code}"))?;
        let pdf = fiches::pdf(&printer, &fiche).with_context(|| format!("fiche {code}"))?;
        let path = opts.out.join(format!("fiche-{code}.pdf"));
        std::fs::write(&path, pdf)
            .with_context(|| format!("failed to write {}", path.display()))?;
        bar.inc(1);
    }
    bar.finish_and_clear();
    println!(
        "{} fiches écrites dans {} en {:.1} s",
        codes.len(),
        opts.out.display(),
        started.elapsed().as_secs_f64()
    );
    store.close().await;
    Ok(())
}
