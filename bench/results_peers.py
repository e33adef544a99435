"""Peers of the results-import benchmark (bench/results.rs), on the same generated bureau file.

Each peer reads the ministry's wide bureau file (Latin-1, ';', decimal comma, fixed columns then
one 8-column block per candidate, a variable number of blocks per row, only the first block
named in the header) and writes the same aggregate to circonscription level:

    circonscription,inscrits,votants,exprimes,panel,nuance,votes

one row per candidate of a circonscription (sorted by circonscription then panel), the
circonscription's totals repeated on each of its rows.

- pandas: read_csv (header=None, names for every possible block), melt, groupby, merge;
- DuckDB: read_csv, UNPIVOT, GROUP BY, JOIN, COPY, with its default threads and with one.

Every run is a fresh Python process, so that its peak RSS (ru_maxrss) is its own; the time is
measured inside it from before reading the file to after writing the aggregate, library imports
excluded. Usage: results_peers.py FILE OUT_DIR RUNS. Prints one JSON object on standard output:
{"pandas": {"seconds": [...], "peak_rss_kib": [...], "baseline_rss_kib": [...]}, ...}."""
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

FIXED = [
    "code_departement", "libelle_departement", "code_circonscription",
    "libelle_circonscription", "code_commune", "libelle_commune", "code_bureau",
    "inscrits", "abstentions", "pct_abs_ins", "votants", "pct_vot_ins", "blancs",
    "pct_blancs_ins", "pct_blancs_vot", "nuls", "pct_nuls_ins", "pct_nuls_vot", "exprimes",
    "pct_exp_ins", "pct_exp_vot",
]
BLOCK = ["panneau", "sexe", "nom", "prenom", "nuance", "voix", "pct_voix_ins", "pct_voix_exp"]
HEADER = "circonscription,inscrits,votants,exprimes,panel,nuance,votes"


def block_count(path):
    """The most candidate blocks a row holds, read from the file (16 in the 2022 files)."""
    widest = 0
    with open(path, "rb") as lines:
        for line in lines:
            widest = max(widest, line.count(b";") + 1)
    return (widest - len(FIXED) + len(BLOCK) - 1) // len(BLOCK)


def columns(blocks):
    return FIXED + [f"{field}_{i}" for i in range(1, blocks + 1) for field in BLOCK]


def run_pandas(path, out, blocks):
    import numpy as np
    import pandas as pd

    started = time.perf_counter()
    names = columns(blocks)
    stubs = ("panneau", "nuance", "voix")
    wanted = ["code_departement", "code_circonscription", "inscrits", "votants", "exprimes"]
    wanted += [f"{stub}_{i}" for i in range(1, blocks + 1) for stub in stubs]
    frame = pd.read_csv(
        path,
        sep=";",
        encoding="latin-1",
        decimal=",",
        header=None,
        skiprows=1,
        names=names,
        usecols=wanted,
        dtype={"code_departement": str, "code_circonscription": str}
        | {f"nuance_{i}": str for i in range(1, blocks + 1)},
    )
    frame["circonscription"] = frame.code_departement + "-" + frame.code_circonscription
    totals = frame.groupby("circonscription", sort=False)[["inscrits", "votants", "exprimes"]].sum()
    # One melt per block field; each comes out block after block, so they line up row by row.
    long = pd.DataFrame(
        {
            "circonscription": np.tile(frame.circonscription.to_numpy(), blocks),
            **{
                name: frame.melt(value_vars=[f"{stub}_{i}" for i in range(1, blocks + 1)])["value"]
                for name, stub in (("panel", "panneau"), ("nuance", "nuance"), ("votes", "voix"))
            },
        }
    ).dropna(subset=["votes"])
    votes = long.groupby(["circonscription", "panel", "nuance"], sort=False)["votes"].sum()
    result = (
        votes.reset_index()
        .merge(totals.reset_index(), on="circonscription")
        .astype({"panel": "int64", "votes": "int64"})
        .sort_values(["circonscription", "panel"])
    )
    result[HEADER.split(",")].to_csv(out, index=False)
    return time.perf_counter() - started


def run_duckdb(path, out, blocks, threads):
    import duckdb

    con = duckdb.connect()
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    started = time.perf_counter()
    types = {name: "VARCHAR" for name in columns(blocks)}
    for name in ["inscrits", "votants", "exprimes"] + [f"voix_{i}" for i in range(1, blocks + 1)]:
        types[name] = "BIGINT"
    for i in range(1, blocks + 1):
        types[f"panneau_{i}"] = "INTEGER"
    struct = "{" + ", ".join(f"'{name}': '{kind}'" for name, kind in types.items()) + "}"
    source = (
        f"read_csv('{path}', delim = ';', header = false, skip = 1, encoding = 'latin-1', "
        f"decimal_separator = ',', quote = '', null_padding = true, auto_detect = false, "
        f"columns = {struct})"
    )
    blocks_sql = ", ".join(
        f"(panneau_{i}, nuance_{i}, voix_{i}) AS b{i}" for i in range(1, blocks + 1)
    )
    con.execute(
        f"""
        COPY (
            WITH bureaux AS (
                SELECT code_departement || '-' || code_circonscription AS circonscription, *
                FROM {source}),
            totals AS (
                SELECT circonscription, SUM(inscrits) AS inscrits, SUM(votants) AS votants,
                       SUM(exprimes) AS exprimes
                FROM bureaux GROUP BY circonscription),
            candidates AS (
                SELECT circonscription, panel, nuance, SUM(voix) AS votes
                FROM (UNPIVOT bureaux ON {blocks_sql} INTO NAME block VALUE panel, nuance, voix)
                WHERE voix IS NOT NULL
                GROUP BY circonscription, panel, nuance)
            SELECT t.circonscription, t.inscrits, t.votants, t.exprimes, c.panel, c.nuance,
                   c.votes
            FROM totals t JOIN candidates c ON c.circonscription = t.circonscription
            ORDER BY t.circonscription, c.panel
        ) TO '{out}' (HEADER, DELIMITER ',')
        """
    )
    return time.perf_counter() - started


def one_run(peer, path, out, blocks):
    """Runs one peer once in this process and prints its time and peak RSS as JSON."""
    if peer == "pandas":
        import numpy  # noqa: F401  (imports are not part of the measure)
        import pandas  # noqa: F401
    else:
        import duckdb  # noqa: F401
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if peer == "pandas":
        seconds = run_pandas(path, out, blocks)
    elif peer == "duckdb":
        seconds = run_duckdb(path, out, blocks, None)
    else:
        seconds = run_duckdb(path, out, blocks, 1)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"seconds": seconds, "peak_rss_kib": peak, "baseline_rss_kib": baseline}))


def main():
    if sys.argv[1] == "--one":
        one_run(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]))
        return
    path, out_dir, runs = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
    blocks = block_count(path)
    result = {"blocks": blocks}
    for peer, out in [
        ("pandas", "pandas-aggregate.csv"),
        ("duckdb", "duckdb-aggregate.csv"),
        ("duckdb-1-thread", "duckdb-1-thread-aggregate.csv"),
    ]:
        samples = {"seconds": [], "peak_rss_kib": [], "baseline_rss_kib": []}
        for _ in range(runs):
            child = subprocess.run(
                [sys.executable, __file__, "--one", peer, path, str(out_dir / out), str(blocks)],
                capture_output=True,
                text=True,
            )
            if child.returncode != 0:
                sys.exit(f"results_peers: {peer} failed:\n{child.stderr}")
            for key, value in json.loads(child.stdout).items():
                samples[key].append(value)
        samples["output"] = str(out_dir / out)
        result[peer] = samples
    print(json.dumps(result))


if __name__ == "__main__":
    main()
