"""Peers of the territory benchmark, fed the same queries: pandas and DuckDB name search over
the same commune reference, and argon2-cffi hashing with the same Argon2id parameters.

Prints one JSON object on standard output."""
import json
import statistics
import sys
import time
import unicodedata


def fold(text):
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    cleaned = "".join(c if c.isalnum() else " " for c in stripped)
    words = ["saint" if w == "st" else "sainte" if w == "ste" else w for w in cleaned.split()]
    return " ".join(words)


def percentiles(samples):
    samples = sorted(samples)
    return {
        "p50_us": samples[len(samples) // 2] * 1e6,
        "p99_us": samples[int(len(samples) * 0.99)] * 1e6,
    }


def main():
    queries_path, communes_path = sys.argv[1], sys.argv[2]
    queries = [q for q in open(queries_path, encoding="utf-8").read().split("\n") if q]
    communes = [c for c in json.load(open(communes_path, encoding="utf-8")) if c["type"] == "commune-actuelle"]
    result = {}

    import pandas as pd

    frame = pd.DataFrame(
        {
            "code": [c["code"] for c in communes],
            "name": [c["nom"] for c in communes],
            "folded": [fold(c["nom"]) for c in communes],
            "population": [c.get("population", 0) for c in communes],
        }
    )
    samples = []
    for query in queries:
        started = time.perf_counter()
        needle = fold(query)
        hits = frame[frame.folded.str.contains(needle, regex=False)]
        hits.sort_values("population", ascending=False).head(20)
        samples.append(time.perf_counter() - started)
    result["pandas"] = percentiles(samples)

    import duckdb

    con = duckdb.connect()
    con.register("communes_frame", frame)
    con.execute("CREATE TABLE communes AS SELECT * FROM communes_frame")
    samples = []
    for query in queries:
        started = time.perf_counter()
        con.execute(
            "SELECT code, name FROM communes WHERE strip_accents(lower(name)) LIKE ? "
            "ORDER BY population DESC LIMIT 20",
            ["%" + fold(query) + "%"],
        ).fetchall()
        samples.append(time.perf_counter() - started)
    result["duckdb"] = percentiles(samples)

    from argon2 import PasswordHasher

    hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
    stored = hasher.hash("un mot de passe de test")
    count = 50
    started = time.perf_counter()
    for _ in range(count):
        hasher.verify(stored, "un mot de passe de test")
    result["argon2_cffi_verifications_per_s"] = count / (time.perf_counter() - started)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
