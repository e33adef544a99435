//! Election-results import at national size, against its peers on the same file.
//!
//! `bench/gen_bureaux.py` writes the Hérault 2022 first-round bureau file once per metropolitan
//! département (96 × 943 bureaux, the ministry's Latin-1 wide layout). Each tool reads it and
//! writes the same aggregate to circonscription level (inscrits, votants, exprimés, and the
//! votes of every candidate panel and nuance) to `bench/out/`:
//!
//! - Tribun in memory: `results_import::parse_bytes`, summed in a map, written as CSV;
//! - Tribun for real: `elections::import::import` into a fresh SQLite database that already
//!   holds the territories, then `elections::indicators::figures_by_kind` for every
//!   circonscription (timed separately);
//! - pandas (read_csv + melt + groupby) and DuckDB (read_csv + UNPIVOT + GROUP BY), in
//!   `bench/results_peers.py`.
//!
//! Every run is a fresh process (this binary again, or Python), so that its peak RSS is its
//! own; times are taken inside it, from before reading the file to after writing the aggregate.
//! The bench checks that every aggregate agrees before printing the table. `TRIBUN_BENCH_RUNS`
//! (default 5) and `TRIBUN_BENCH_IMPORT_RUNS` (default 3) set the number of runs.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use results_import::{ResultsFile, TerritoryKey};
use tribun::elections::ElectionId;
use tribun::elections::import::{Request, import};
use tribun::elections::indicators::figures_by_kind;
use tribun::store::{Store, Value, insert_batched};
use tribun::territories::{Kind, normalise_name};

/// Set in the environment of a child run: `parse` or `import`.
const CHILD: &str = "TRIBUN_BENCH_RESULTS_CHILD";
const ELECTION: &str = "legislatives-2022";
const SOURCE_NAME: &str = "bureaux-metropole-2022-t1.txt";

fn manifest() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn out_dir() -> PathBuf {
    manifest().join("bench/out")
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
}

/// The peak resident set size of this process so far (VmHWM), in KiB.
fn peak_rss_kib() -> u64 {
    let status = fs::read_to_string("/proc/self/status").expect("read /proc/self/status");
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM in /proc/self/status")
}

/// One candidate of a circonscription, summed over its bureaux.
#[derive(Debug, Clone, PartialEq, Eq)]
struct CandidateSum {
    nuance: String,
    last_name: String,
    first_name: String,
    votes: i64,
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct CircoSum {
    inscrits: i64,
    votants: i64,
    exprimes: i64,
    /// By panel number.
    candidates: BTreeMap<u32, CandidateSum>,
}

/// Circonscription code → sums, in code order.
type Aggregate = BTreeMap<String, CircoSum>;

/// Sums a bureau-level file to circonscription level, per (circonscription, panel).
fn aggregate(file: &ResultsFile) -> Aggregate {
    let mut by_circo: HashMap<&territory_codes::CircoCode, CircoSum> = HashMap::new();
    for bureau in &file.territories {
        let circo = bureau
            .circonscription
            .as_ref()
            .expect("every bureau names its circonscription");
        let sum = by_circo.entry(circo).or_default();
        sum.inscrits += bureau.inscrits;
        sum.votants += bureau.votants;
        sum.exprimes += bureau.exprimes;
        for candidate in &bureau.candidates {
            let panel = candidate.panel.expect("every candidate has a panel number");
            sum.candidates
                .entry(panel)
                .or_insert_with(|| CandidateSum {
                    nuance: candidate.nuance.clone().unwrap_or_default(),
                    last_name: candidate.last_name.clone(),
                    first_name: candidate.first_name.clone(),
                    votes: 0,
                })
                .votes += candidate.votes;
        }
    }
    by_circo
        .into_iter()
        .map(|(code, sum)| (code.to_string(), sum))
        .collect()
}

const AGGREGATE_HEADER: [&str; 7] = [
    "circonscription",
    "inscrits",
    "votants",
    "exprimes",
    "panel",
    "nuance",
    "votes",
];

/// One row of the common aggregate CSV.
type AggregateRow = (String, i64, i64, i64, u32, String, i64);

fn aggregate_rows(aggregate: &Aggregate) -> Vec<AggregateRow> {
    let mut rows = Vec::new();
    for (code, sum) in aggregate {
        for (panel, candidate) in &sum.candidates {
            rows.push((
                code.clone(),
                sum.inscrits,
                sum.votants,
                sum.exprimes,
                *panel,
                candidate.nuance.clone(),
                candidate.votes,
            ));
        }
    }
    rows
}

fn write_aggregate(aggregate: &Aggregate, path: &Path) {
    let mut writer = csv::Writer::from_path(path).expect("create the aggregate CSV");
    writer.write_record(AGGREGATE_HEADER).expect("write");
    for (code, inscrits, votants, exprimes, panel, nuance, votes) in aggregate_rows(aggregate) {
        writer
            .write_record([
                code,
                inscrits.to_string(),
                votants.to_string(),
                exprimes.to_string(),
                panel.to_string(),
                nuance,
                votes.to_string(),
            ])
            .expect("write");
    }
    writer.flush().expect("flush the aggregate CSV");
}

/// The rows of an aggregate CSV written by any of the tools, in file order.
fn read_aggregate(path: &Path) -> Vec<AggregateRow> {
    let mut reader = csv::Reader::from_path(path)
        .unwrap_or_else(|e| panic!("failed to read {}: {e}", path.display()));
    let header: Vec<String> = reader
        .headers()
        .expect("header")
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(header, AGGREGATE_HEADER, "{}", path.display());
    reader
        .records()
        .map(|record| {
            let record = record.expect("record");
            let number = |i: usize| -> i64 {
                record[i]
                    .parse()
                    .unwrap_or_else(|_| panic!("{}: not a number: {:?}", path.display(), &record))
            };
            (
                record[0].to_owned(),
                number(1),
                number(2),
                number(3),
                u32::try_from(number(4)).expect("panel"),
                record[5].to_owned(),
                number(6),
            )
        })
        .collect()
}

/// Measures of one run, printed by a child as JSON.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
struct Run {
    seconds: f64,
    peak_rss_kib: u64,
    baseline_rss_kib: u64,
    /// Import runs only: the aggregate step, and the peak RSS after it.
    aggregate_seconds: f64,
    aggregate_peak_rss_kib: u64,
    differences: usize,
    unknown_territories: usize,
}

/// Child: parse + aggregate in memory, write the aggregate.
fn run_parse(file: &Path, output: &Path) -> Run {
    let baseline_rss_kib = peak_rss_kib();
    let started = Instant::now();
    let bytes = fs::read(file).expect("read the bureau file");
    let parsed = results_import::parse_bytes(SOURCE_NAME, &bytes).expect("parse");
    write_aggregate(&aggregate(&parsed), output);
    Run {
        seconds: started.elapsed().as_secs_f64(),
        peak_rss_kib: peak_rss_kib(),
        baseline_rss_kib,
        ..Run::default()
    }
}

/// Child: the real import into the database at `url`, then the aggregate through the library.
async fn run_import(file: &Path, url: &str, output: &Path) -> Run {
    let store = Store::open(url).await.expect("open the database");
    let baseline_rss_kib = peak_rss_kib();
    let started = Instant::now();
    let bytes = fs::read(file).expect("read the bureau file");
    let report = import(
        store.pool(),
        Request {
            election: &ElectionId::parse(ELECTION).expect("election"),
            round: 1,
            source_name: SOURCE_NAME,
            bytes: &bytes,
            dry_run: false,
            on_progress: &|_, _| {},
        },
    )
    .await
    .expect("import");
    let seconds = started.elapsed().as_secs_f64();
    let peak = peak_rss_kib();
    drop(bytes);

    let started = Instant::now();
    let figures = figures_by_kind(store.pool(), ELECTION, 1, Kind::Circonscription, None)
        .await
        .expect("figures by circonscription");
    let mut writer = csv::Writer::from_path(output).expect("create the aggregate CSV");
    writer
        .write_record([
            "circonscription",
            "inscrits",
            "votants",
            "exprimes",
            "last_name",
            "first_name",
            "nuance",
            "votes",
        ])
        .expect("write");
    for circo in &figures {
        for candidate in &circo.candidates {
            writer
                .write_record([
                    circo.code.clone(),
                    circo.inscrits.to_string(),
                    circo.votants.to_string(),
                    circo.exprimes.to_string(),
                    candidate.last_name.clone(),
                    candidate.first_name.clone(),
                    candidate.nuance.clone().unwrap_or_default(),
                    candidate.votes.to_string(),
                ])
                .expect("write");
        }
    }
    writer.flush().expect("flush the aggregate CSV");
    let aggregate_seconds = started.elapsed().as_secs_f64();
    store.close().await;
    Run {
        seconds,
        peak_rss_kib: peak,
        baseline_rss_kib,
        aggregate_seconds,
        aggregate_peak_rss_kib: peak_rss_kib(),
        differences: report.differences.len(),
        unknown_territories: report.unknown_territories.len(),
    }
}

fn child(mode: &str) {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let run = match mode {
        "parse" => run_parse(Path::new(&args[0]), Path::new(&args[1])),
        "import" => runtime().block_on(run_import(
            Path::new(&args[0]),
            &args[1],
            Path::new(&args[2]),
        )),
        _ => panic!("unknown child mode {mode:?}"),
    };
    println!("{}", serde_json::to_string(&run).expect("JSON"));
}

fn spawn_child(mode: &str, args: &[&str]) -> Run {
    let output = Command::new(std::env::current_exe().expect("this executable"))
        .env(CHILD, mode)
        .args(args)
        .output()
        .expect("run a child");
    assert!(
        output.status.success(),
        "{mode} run failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("child JSON")
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn runs_from_env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(default)
}

/// A template database holding the territorial reference, plus the bureaux of the generated
/// file and the circonscriptions they name where the reference has none (01-07 does not exist,
/// Hérault's bureaux are only known in Hérault). Each synthetic bureau is linked to its
/// circonscription only: its commune number belongs to another circonscription in the real
/// département, so a commune link would count it twice.
async fn template_database(path: &Path, file: &ResultsFile) {
    let store = Store::open(&format!("sqlite://{}?mode=rwc", path.display()))
        .await
        .expect("open the template database");
    tribun::territories::import::import(
        store.pool(),
        &tribun::territories::import::Sources {
            reference_dir: &manifest().join(tribun::config::DEFAULT_REFERENCE_DIR),
            open_data_dir: Some(&manifest().join("../shared/data")),
        },
    )
    .await
    .expect("import the territories");
    let known: HashSet<String> = sqlx::query_scalar("SELECT code FROM territories")
        .fetch_all(store.pool())
        .await
        .expect("territory codes")
        .into_iter()
        .collect();
    let mut territories: Vec<Vec<Value>> = Vec::new();
    let mut links: Vec<Vec<Value>> = Vec::new();
    let mut added: HashSet<String> = HashSet::new();
    for bureau in &file.territories {
        let TerritoryKey::Bureau(code) = &bureau.territory else {
            panic!("expected bureaux, found {}", bureau.territory);
        };
        let circo = bureau.circonscription.as_ref().expect("circonscription");
        let departement = circo.departement().as_str().to_owned();
        let circo = circo.to_string();
        let code = code.to_string();
        for (child, kind, name, parent) in [
            (
                &circo,
                Kind::Circonscription,
                format!("Circonscription {circo} (banc d'essai)"),
                &departement,
            ),
            (
                &code,
                Kind::Bureau,
                format!("Bureau {code} (banc d'essai)"),
                &circo,
            ),
        ] {
            if known.contains(child) || !added.insert(child.clone()) {
                continue;
            }
            territories.push(vec![
                Value::Text(child.clone()),
                Value::Text(kind.as_str().to_owned()),
                Value::Text(normalise_name(&name)),
                Value::Text(name),
                Value::Text(departement.clone()),
            ]);
            links.push(vec![
                Value::Text(parent.clone()),
                Value::Text(child.clone()),
                Value::Int(Some(0)),
            ]);
        }
    }
    let mut tx = store.pool().begin().await.expect("transaction");
    insert_batched(
        &mut tx,
        "INSERT INTO territories (code, kind, search_name, name, departement_code) VALUES ",
        "",
        territories,
    )
    .await
    .expect("insert the bench territories");
    insert_batched(
        &mut tx,
        "INSERT INTO territory_links (parent_code, child_code, partial) VALUES ",
        "",
        links,
    )
    .await
    .expect("insert the bench links");
    tx.commit().await.expect("commit");
    store.close().await;
}

/// Panics on the first row where `found` differs from `expected`.
fn check_same(tool: &str, expected: &[AggregateRow], found: &[AggregateRow]) {
    for (line, (e, f)) in expected.iter().zip(found).enumerate() {
        assert_eq!(e, f, "{tool}: aggregate row {} differs", line + 2);
    }
    assert_eq!(
        expected.len(),
        found.len(),
        "{tool}: number of aggregate rows"
    );
}

/// The database's aggregate, keyed by names (figures_by_kind does not return panels), against
/// the reference.
fn check_database(expected: &Aggregate, path: &Path) {
    /// Last name, first name, nuance, votes.
    type Named = (String, String, String, i64);
    /// Inscrits, votants, exprimés and the candidates of each circonscription.
    type ByCirco = BTreeMap<String, ((i64, i64, i64), Vec<Named>)>;
    let mut found: ByCirco = BTreeMap::new();
    let mut reader = csv::Reader::from_path(path).expect("database aggregate");
    for record in reader.records() {
        let r = record.expect("record");
        let number = |i: usize| -> i64 { r[i].parse().expect("number") };
        let entry = found
            .entry(r[0].to_owned())
            .or_insert_with(|| ((number(1), number(2), number(3)), Vec::new()));
        entry
            .1
            .push((r[4].to_owned(), r[5].to_owned(), r[6].to_owned(), number(7)));
    }
    let expected: ByCirco = expected
        .iter()
        .map(|(code, sum)| {
            let candidates = sum
                .candidates
                .values()
                .map(|c| {
                    (
                        c.last_name.clone(),
                        c.first_name.clone(),
                        c.nuance.clone(),
                        c.votes,
                    )
                })
                .collect();
            (
                code.clone(),
                ((sum.inscrits, sum.votants, sum.exprimes), candidates),
            )
        })
        .collect();
    assert_eq!(
        expected.keys().collect::<Vec<_>>(),
        found.keys().collect::<Vec<_>>(),
        "figures_by_kind: circonscriptions"
    );
    for (code, (totals, mut candidates)) in expected {
        let (found_totals, found_candidates) = found.get_mut(&code).expect("circonscription");
        assert_eq!(totals, *found_totals, "figures_by_kind: totals of {code}");
        candidates.sort();
        found_candidates.sort();
        assert_eq!(
            candidates, *found_candidates,
            "figures_by_kind: candidates of {code}"
        );
    }
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

struct Line {
    tool: String,
    seconds: f64,
    peak_rss_kib: u64,
    baseline_rss_kib: u64,
}

fn line(tool: &str, runs: &[Run]) -> Line {
    Line {
        tool: tool.to_owned(),
        seconds: median(runs.iter().map(|r| r.seconds).collect()),
        peak_rss_kib: runs.iter().map(|r| r.peak_rss_kib).max().unwrap_or(0),
        baseline_rss_kib: runs.iter().map(|r| r.baseline_rss_kib).max().unwrap_or(0),
    }
}

fn peer_runs(peers: &serde_json::Value, peer: &str) -> Vec<Run> {
    let values = |key: &str| -> Vec<serde_json::Value> {
        peers[peer][key].as_array().cloned().unwrap_or_default()
    };
    values("seconds")
        .iter()
        .zip(values("peak_rss_kib"))
        .zip(values("baseline_rss_kib"))
        .map(|((seconds, peak), baseline)| Run {
            seconds: seconds.as_f64().unwrap_or(f64::NAN),
            peak_rss_kib: peak.as_u64().unwrap_or(0),
            baseline_rss_kib: baseline.as_u64().unwrap_or(0),
            ..Run::default()
        })
        .collect()
}

fn main() {
    if let Ok(mode) = std::env::var(CHILD) {
        child(&mode);
        return;
    }
    let runs = runs_from_env("TRIBUN_BENCH_RUNS", 5);
    let import_runs = runs_from_env("TRIBUN_BENCH_IMPORT_RUNS", 3);
    let python = std::env::var("TRIBUN_BENCH_PYTHON").unwrap_or_else(|_| "python3".to_owned());
    let out = out_dir();
    let file = out.join(SOURCE_NAME);
    let generated = Command::new(&python)
        .arg(manifest().join("bench/gen_bureaux.py"))
        .arg(&file)
        .output()
        .expect("run bench/gen_bureaux.py");
    assert!(
        generated.status.success(),
        "{}",
        String::from_utf8_lossy(&generated.stderr)
    );
    let size = fs::metadata(&file).expect("generated file").len();

    // The reference aggregate, computed once here, untimed.
    let parsed = results_import::parse_bytes(SOURCE_NAME, &fs::read(&file).expect("read"))
        .expect("parse the generated file");
    let expected = aggregate(&parsed);
    let expected_rows = aggregate_rows(&expected);
    let bureaux = parsed.territories.len();
    println!(
        "{} bureaux in {} circonscriptions, {:.1} MB, {} candidate rows",
        bureaux,
        expected.len(),
        size as f64 / 1e6,
        parsed.candidate_count()
    );

    let file_arg = file.to_str().expect("UTF-8 path");
    let tribun_csv = out.join("tribun-aggregate.csv");
    let parse_runs: Vec<Run> = (0..runs)
        .map(|_| spawn_child("parse", &[file_arg, tribun_csv.to_str().expect("path")]))
        .collect();
    check_same(
        "Tribun in memory",
        &expected_rows,
        &read_aggregate(&tribun_csv),
    );

    let peers = Command::new(&python)
        .arg(manifest().join("bench/results_peers.py"))
        .arg(&file)
        .arg(&out)
        .arg(runs.to_string())
        .output()
        .expect("run bench/results_peers.py");
    assert!(
        peers.status.success(),
        "{}",
        String::from_utf8_lossy(&peers.stderr)
    );
    let peers: serde_json::Value = serde_json::from_slice(&peers.stdout).expect("peers JSON");
    for peer in ["pandas", "duckdb", "duckdb-1-thread"] {
        let path = PathBuf::from(peers[peer]["output"].as_str().expect("output"));
        check_same(peer, &expected_rows, &read_aggregate(&path));
    }

    let work = tempfile::tempdir().expect("temporary directory");
    let template = work.path().join("template.db");
    runtime().block_on(template_database(&template, &parsed));
    drop(parsed);
    let database_csv = out.join("tribun-database-aggregate.csv");
    let import_results: Vec<Run> = (0..import_runs)
        .map(|run| {
            let database = work.path().join(format!("run-{run}.db"));
            fs::copy(&template, &database).expect("copy the template");
            let url = format!("sqlite://{}?mode=rwc", database.display());
            let result = spawn_child(
                "import",
                &[file_arg, &url, database_csv.to_str().expect("path")],
            );
            fs::remove_file(&database).ok();
            result
        })
        .collect();
    check_database(&expected, &database_csv);

    let tribun = line("Tribun: parse_bytes + sum", &parse_runs);
    let base = tribun.seconds;
    let pandas = line(
        "pandas: read_csv + melt + groupby",
        &peer_runs(&peers, "pandas"),
    );
    let duckdb = line(
        "DuckDB: read_csv + UNPIVOT + GROUP BY",
        &peer_runs(&peers, "duckdb"),
    );
    let duckdb_1 = line("DuckDB, 1 thread", &peer_runs(&peers, "duckdb-1-thread"));
    let stored = line("Tribun: import into SQLite", &import_results);
    let mut summed = line(
        "Tribun: figures_by_kind (SQLite)",
        &import_results
            .iter()
            .map(|r| Run {
                seconds: r.aggregate_seconds,
                peak_rss_kib: r.aggregate_peak_rss_kib,
                baseline_rss_kib: r.peak_rss_kib,
                ..Run::default()
            })
            .collect::<Vec<_>>(),
    );
    summed.baseline_rss_kib = stored.peak_rss_kib;

    println!(
        "\nImport and aggregate to circonscription level ({} bureaux; median of {runs} runs, \
         {import_runs} for SQLite; every run a fresh process; {} cores)",
        bureaux,
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    );
    println!(
        "{:<40} {:>9} {:>10} {:>14} {:>14}",
        "tool", "time s", "vs Tribun", "peak RSS MiB", "before MiB"
    );
    for line in [&tribun, &duckdb, &duckdb_1, &pandas, &stored, &summed] {
        println!(
            "{:<40} {:>9.3} {:>9.2}× {:>14.1} {:>14.1}",
            line.tool,
            line.seconds,
            line.seconds / base,
            mib(line.peak_rss_kib),
            mib(line.baseline_rss_kib)
        );
    }
    let verdict = |met: bool| if met { "met" } else { "NOT met" };
    println!(
        "\ngoal: Tribun no slower than DuckDB: {} ({:.2}× DuckDB's time)",
        verdict(base <= duckdb.seconds),
        base / duckdb.seconds
    );
    println!(
        "goal: Tribun at least 10× faster than pandas: {} (pandas takes {:.2}× Tribun's time)",
        verdict(pandas.seconds >= 10.0 * base),
        pandas.seconds / base
    );
    let last = import_results.last().expect("an import run");
    println!(
        "aggregates agree: Tribun in memory, pandas, DuckDB, and figures_by_kind after the \
         import ({} differences reported by the import, {} territories unknown)",
        last.differences, last.unknown_territories
    );
    let _ = std::io::stdout().flush();
}
