"""Writes a national-size bureau-level results file for bench/results.rs from the real Hérault one.

Every row of the Hérault 2022 first-round "burvot" file is written once per metropolitan
département (01..95, with 2A and 2B instead of 20: 96 départements), in département order, with
the département's code and name in the first two columns. Everything else (circonscription,
commune and bureau numbers, names, figures) is kept byte for byte, and so is the layout: Latin-1,
';', decimal comma, CRLF, the header of the source, one 8-column block per candidate, a variable
number of blocks per row. The output is deterministic.

Usage: gen_bureaux.py [OUTPUT]  (default bench/out/bureaux-metropole-2022-t1.txt)
Prints the output path, its size and its row count."""
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
SOURCE = DATA / "elections" / "herault-34" / "legislatives-2022-t1-bureaux-de-vote-34.txt"
# The 96 metropolitan départements with their names, {code, nom} per feature.
DEPARTEMENTS = DATA / "geo" / "departements-version-simplifiee.geojson"
DEFAULT_OUTPUT = ROOT / "bench" / "out" / "bureaux-metropole-2022-t1.txt"


def departements():
    """(code, name) in the INSEE order: 01..19, 2A, 2B, 21..95."""
    features = json.loads(DEPARTEMENTS.read_text(encoding="utf-8"))["features"]
    pairs = [(f["properties"]["code"], f["properties"]["nom"]) for f in features]
    codes = [code for code, _ in pairs]
    expected = [f"{n:02d}" for n in range(1, 96) if n != 20] + ["2A", "2B"]
    if sorted(codes) != sorted(expected):
        sys.exit(f"gen_bureaux: expected the 96 metropolitan départements in {DEPARTEMENTS}")
    return sorted(pairs, key=lambda pair: pair[0].replace("2A", "20A").replace("2B", "20B"))


def main():
    output = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUTPUT
    source = SOURCE.read_bytes()
    if not source.endswith(b"\r\n"):
        sys.exit(f"gen_bureaux: expected CRLF line ends in {SOURCE}")
    header, *rows = source[: -len(b"\r\n")].split(b"\r\n")
    # Each row without its first two cells (département code and name), which are rewritten.
    tails = []
    for number, row in enumerate(rows, start=2):
        cells = row.split(b";", 2)
        if len(cells) != 3 or cells[0] != b"34":
            sys.exit(f"gen_bureaux: line {number} of {SOURCE} is not a Hérault row")
        tails.append(cells[2])
    output.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with open(output, "wb") as out:
        out.write(header + b"\r\n")
        for code, name in departements():
            prefix = code.encode("ascii") + b";" + name.encode("latin-1") + b";"
            out.writelines(prefix + tail + b"\r\n" for tail in tails)
            count += len(tails)
    print(f"{output}: {output.stat().st_size} bytes, {count} rows after the header")


if __name__ == "__main__":
    main()
