"""Peer of `tribun fiches --all`: WeasyPrint rendering the same fiches' HTML pages to PDF.

    fiches_peer.py download DB BASE_URL TOKEN HTML_DIR   fetch /territoires/{code}/fiche for every
                                                         circonscription, CSS inlined (not timed)
    fiches_peer.py render HTML_DIR PDF_DIR               render every HTML file to PDF in this
                                                         process; prints the seconds it took
"""
import pathlib
import sqlite3
import sys
import time
import urllib.request


def get(url, token=None):
    request = urllib.request.Request(url)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.read().decode("utf-8")


def download(db, base, token, html_dir):
    # Poll /healthz until the server answers (it was just started).
    deadline = time.monotonic() + 60
    while True:
        try:
            get(f"{base}/healthz")
            break
        except OSError:
            if time.monotonic() > deadline:
                sys.exit(f"fiches_peer: {base}/healthz did not answer within 60 s")
            time.sleep(0.05)
    codes = [row[0] for row in sqlite3.connect(db).execute(
        "SELECT code FROM territories WHERE kind = 'circonscription' ORDER BY code")]
    css = get(f"{base}/assets/tribun.css")
    link = '<link rel="stylesheet" href="/assets/tribun.css">'
    out = pathlib.Path(html_dir)
    out.mkdir(parents=True, exist_ok=True)
    for code in codes:
        html = get(f"{base}/territoires/{code}/fiche", token)
        if link not in html:
            sys.exit(f"fiches_peer: {code}: stylesheet link not found in the page")
        html = html.replace(link, f"<style>{css}</style>")
        (out / f"{code}.html").write_text(html, encoding="utf-8")
    print(len(codes))


def render(html_dir, pdf_dir):
    from weasyprint import HTML

    files = sorted(pathlib.Path(html_dir).glob("*.html"))
    out = pathlib.Path(pdf_dir)
    out.mkdir(parents=True, exist_ok=True)
    base = pathlib.Path(html_dir).resolve().as_uri() + "/"
    started = time.perf_counter()
    for path in files:
        html = path.read_text(encoding="utf-8")
        HTML(string=html, base_url=base).write_pdf(out / f"{path.stem}.pdf")
    print(f"{time.perf_counter() - started:.3f}")


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    {"download": download, "render": render}[command](*args)
