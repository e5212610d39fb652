"""The workbench under load: `covenant serve` answering 50 clients at once, beside a minimal FastAPI app.

usage: python benchmarks/web.py [--corpus DIR] [--every N] [--db DB] [--clients N] [--seconds S]
                                [--hybrid-every N] [--seed N] [--out benchmarks/results]
       python benchmarks/web.py --seconds 10              # a quick check

A library is built once in a temporary folder (or `--db` names one to use, or to build there when missing): every
Nth State Department page (default every 4th: 290 of 1,160), ingested and full-text indexed with the CLI
(`covenant ingest`, `covenant index --no-semantic`; timed). `covenant serve` then runs as a real process on
127.0.0.1 and `--clients` clients (default 50), each with one keep-alive connection, send request after request
for `--seconds` (default 60) from this mix, in random order:

- search pages: realistic 2-5 word queries in bm25 mode, as HTML and as JSON (`Accept: application/json`);
- the reader of a random report (`/reports/ID`, HTML);
- a random passage as JSON (`/passages/ID`, `Accept: application/json`), and as a browser asks for it (a 303 to
  the reader, not followed).

Any answer other than 2xx or 3xx (and any failed connection or timeout) is an error. Reported: requests/s,
p50/p95/p99 latency per kind of request, errors, the CPU time the server and this client used, and the server's
peak RSS (VmHWM of the server's process tree when the load ends).

The peer, in the same run and under the same load from the same client: a minimal FastAPI app (one async route
returning a fixed HTML page as large as the mean answer of the Covenant run) served by uvicorn as `covenant serve`
is (one process, h11, access log on). The ratio shows what Covenant's own work costs over the framework's floor.

Hybrid search needs vectors (about 75 passages/s to embed on 2 cores), so it is measured on a smaller library:
every `--hybrid-every`th page (default 20: 58 pages), embedded with the default model, under the same mix with
the search pages in the default (hybrid) mode; `--hybrid-every 0` leaves it out.

The client is Python (asyncio streams and a minimal HTTP/1.1 reader, standard library only) rather than a C load
generator: each request has a kind, and p50/p95/p99 per kind need each latency labelled, which wrk's scripting does
not give; a raw keep-alive client costs far less CPU per request than an HTTP library, and its CPU time is reported
so that what it takes from the two shared cores is visible. Results go to <out>/web.json and web.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
HTML = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"  # what a browser sends
JSON = "application/json"
TIMEOUT = 60.0  # seconds one request may take before it counts as an error

QUERIES = (
    "pretrial detention",
    "torture in police custody",
    "freedom of assembly",
    "independent journalists harassed",
    "arbitrary arrest of activists",
    "prison conditions overcrowding",
    "domestic violence against women",
    "child labor in agriculture",
    "trafficking in persons",
    "freedom of religion restrictions",
    "internet censorship blocked websites",
    "enforced disappearances",
    "extrajudicial killings by security forces",
    "judicial independence corruption",
    "refugees and asylum seekers",
    "discrimination against LGBTI persons",
    "freedom of expression online",
    "political prisoners released",
    "election irregularities observers",
    "rights of persons with disabilities",
    "trade union registration denied",
    "forced labor",
    "police use of excessive force",
    "detention without charge",
    "access to a lawyer",
    "death penalty executions",
    "rape and sexual assault",
    "academic freedom",
    "ethnic minorities discrimination",
    "NGO registration requirements",
    "journalists detained",
    "government corruption officials",
    "internally displaced persons",
    "conditions in migrant detention centers",
    "defamation laws against journalists",
    "female genital mutilation",
    "child marriage",
    "right to a fair public trial",
    "peaceful protesters dispersed",
    "impunity for abuses",
)


@dataclass(frozen=True)
class Kind:
    name: str
    weight: int
    accept: str


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=dict)
    statuses: dict[str, dict[int, int]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    bytes: int = 0

    def add(self, kind: str, seconds: float, status: int, size: int) -> None:
        self.latencies.setdefault(kind, []).append(seconds)
        counts = self.statuses.setdefault(kind, {})
        counts[status] = counts.get(status, 0) + 1
        self.bytes += size
        if not 200 <= status < 400:
            self.errors.append(f"{kind}: HTTP {status}")


def mix(search_mode: str | None) -> list[Kind]:
    label = search_mode or "hybrid"
    return [
        Kind(f"search {label} HTML", 25, HTML),
        Kind(f"search {label} JSON", 15, JSON),
        Kind("reader HTML", 20, HTML),
        Kind("passage JSON", 30, JSON),
        Kind("passage HTML (303)", 10, HTML),
    ]


def path_for(kind: Kind, rng: random.Random, reports: list[str], passages: list[str], mode: str | None) -> str:
    if kind.name.startswith("search"):
        params = [("q", rng.choice(QUERIES))] + ([("mode", mode)] if mode else [])
        return "/search?" + urlencode(params)
    if kind.name.startswith("reader"):
        return "/reports/" + quote(rng.choice(reports))
    return "/passages/" + quote(rng.choice(passages), safe=":")


async def fetch(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path: str, accept: str) -> tuple[int, int]:
    """One GET on a keep-alive connection: (status, body bytes). Raises on a closed or broken connection."""
    writer.write(f"GET {path} HTTP/1.1\r\nHost: {HOST}\r\nAccept: {accept}\r\nUser-Agent: bench\r\n\r\n".encode())
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split()[1])
    length, chunked, close = None, False, False
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        name, value = name.strip().lower(), value.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"transfer-encoding":
            chunked = b"chunked" in value
        elif name == b"connection":
            close = value == b"close"
    size = 0
    if chunked:
        while True:
            chunk = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            size += len(await reader.readexactly(chunk + 2)) - 2
            if chunk == 0:
                break
    elif length is not None:
        size = len(await reader.readexactly(length))
    else:
        size = len(await reader.read())
        close = True
    if close:
        raise ConnectionResetError("the server closed the connection")  # reconnect for the next request
    return status, size


async def client(port: int, deadline: float, tally: Tally, pick: Any, rng: random.Random, record: bool = True) -> None:
    conn: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
    while time.perf_counter() < deadline:
        kind, path = pick(rng)
        started = time.perf_counter()
        try:
            if conn is None:
                conn = await asyncio.open_connection(HOST, port)
            async with asyncio.timeout(TIMEOUT):
                status, size = await fetch(*conn, path, kind.accept)
        except ConnectionResetError as exc:
            if conn is not None:
                conn[1].close()
            conn = None
            if "closed the connection" not in str(exc):
                tally.errors.append(f"{kind.name}: {exc!r}")
            continue
        except (OSError, TimeoutError, asyncio.IncompleteReadError, ValueError, IndexError) as exc:
            if conn is not None:
                conn[1].close()
            conn = None
            tally.errors.append(f"{kind.name} {path}: {exc!r}")
            continue
        if record:
            tally.add(kind.name, time.perf_counter() - started, status, size)
    if conn is not None:
        conn[1].close()


def load(
    port: int, kinds: list[Kind], paths: Any, clients: int, seconds: float, seed: int, server: list[int]
) -> dict[str, Any]:
    """`clients` connections sending requests for `seconds` (after a short warm-up that is not counted), then one
    client alone for a while: what each kind of request takes when it does not wait behind others."""

    def pick(rng: random.Random) -> tuple[Kind, str]:
        kind = rng.choices(kinds, weights=[k.weight for k in kinds])[0]
        return kind, paths(kind, rng)

    async def run(duration: float, tally: Tally, clients: int, record: bool = True) -> float:
        started = time.perf_counter()
        deadline = started + duration
        rngs = [random.Random(seed * 1000 + i) for i in range(clients)]
        await asyncio.gather(*(client(port, deadline, tally, pick, rngs[i], record) for i in range(clients)))
        return time.perf_counter() - started

    asyncio.run(run(min(10.0, seconds), Tally(), clients, record=False))  # pool threads open their Library and model
    tally = Tally()
    cpu = resource.getrusage(resource.RUSAGE_SELF)
    server_cpu = cpu_seconds(server)
    elapsed = asyncio.run(run(seconds, tally, clients))
    server_cpu = cpu_seconds(server) - server_cpu
    after = resource.getrusage(resource.RUSAGE_SELF)
    alone = Tally()
    asyncio.run(run(min(10.0, seconds), alone, 1))
    count = sum(len(v) for v in tally.latencies.values())
    return {
        "seconds": round(elapsed, 2),
        "requests": count,
        "requests_per_s": round(count / elapsed, 1),
        "mean_bytes": round(tally.bytes / count) if count else 0,
        "errors": len(tally.errors) + len(alone.errors),
        "error_examples": sorted(set(tally.errors + alone.errors))[:10],
        "server_cpu_s": round(server_cpu, 1),
        "client_cpu_s": round(after.ru_utime + after.ru_stime - cpu.ru_utime - cpu.ru_stime, 1),
        "kinds": {
            name: {
                **percentiles(values),
                "statuses": {str(k): v for k, v in sorted(tally.statuses[name].items())},
                "alone": percentiles(alone.latencies.get(name, [])),
            }
            for name, values in sorted(tally.latencies.items())
        },
    }


def percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {"requests": 0, "p50_ms": 0.0, "p95_ms": 0.0, "p99_ms": 0.0}
    cuts = statistics.quantiles(values, n=100, method="inclusive") if len(values) > 1 else values * 99
    return {
        "requests": len(values),
        "p50_ms": round(cuts[49] * 1000, 1),
        "p95_ms": round(cuts[94] * 1000, 1),
        "p99_ms": round(cuts[98] * 1000, 1),
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def wait_until_up(port: int, process: subprocess.Popen[bytes], log: Path) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < 120:
        if process.poll() is not None:
            sys.exit(f"the server exited ({process.returncode}):\n{log.read_text(errors='replace')[-2000:]}")
        try:
            with urllib.request.urlopen(f"http://{HOST}:{port}/", timeout=5) as answer:
                if answer.status == 200:
                    return time.perf_counter() - started
        except OSError:
            time.sleep(0.1)
    sys.exit(f"the server did not answer within 120 s:\n{log.read_text(errors='replace')[-2000:]}")


def tree(pid: int) -> list[int]:
    """The process and its descendants (from /proc/<pid>/task/*/children)."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            todo += [int(child) for child in task.read_text().split()]
    return found


def status_kb(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


def cpu_seconds(pids: list[int]) -> float:
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def serve_and_load(
    command: list[str], workdir: Path, name: str, kinds: list[Kind], paths: Any, args: argparse.Namespace
) -> dict[str, Any]:
    port = free_port()
    log = workdir / f"{name}.log"
    with log.open("wb") as out:
        process = subprocess.Popen([*command, "--port", str(port)], stdout=out, stderr=subprocess.STDOUT)
    try:
        startup = wait_until_up(port, process, log)
        result = load(port, kinds, paths, args.clients, args.seconds, args.seed, tree(process.pid))
        pids = tree(process.pid)
        result["server_peak_rss_mb"] = round(sum(status_kb(pid, "VmHWM") for pid in pids) / 1024, 1)
        result["server_processes"] = len(pids)
        result["startup_s"] = round(startup, 2)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return result


PEER = textwrap.dedent(
    """
    import sys
    import uvicorn
    from fastapi import FastAPI
    from fastapi.responses import Response

    size, port = int(sys.argv[1]), int(sys.argv[-1])  # <size> --port <port>
    head = b"<!doctype html><html><head><title>hello</title></head><body><p>"
    BODY = head + b"hello " * ((size - len(head) - 18) // 6) + b"</p></body></html>"
    app = FastAPI()

    @app.get("/{path:path}")
    async def hello(path: str) -> Response:
        return Response(BODY, media_type="text/html; charset=utf-8")

    uvicorn.run(app, host="127.0.0.1", port=port, log_level="info", server_header=False)
    """
)


def covenant(*argv: str) -> float:
    started = time.perf_counter()
    subprocess.run([str(BIN / "covenant"), *argv], check=True, capture_output=True)
    return time.perf_counter() - started


def build(db: Path, files: list[Path], semantic: bool) -> dict[str, Any]:
    built: dict[str, Any] = {"db": str(db)}
    if not db.exists():
        built["ingest_s"] = round(covenant("--db", str(db), "ingest", *map(str, files)), 1)
    built["index_s"] = round(covenant("--db", str(db), "index", "--semantic" if semantic else "--no-semantic"), 1)
    return built


def sample_ids(db: Path, rng: random.Random, mode: str) -> tuple[list[str], list[str], int, dict[str, float]]:
    """Report ids, a sample of passage ids, the passage count, and `Library.search` alone in this process (each
    query once after a first search: the part of a search page that is the search itself)."""
    sys.path.insert(0, str(ROOT / "src"))
    from covenant.library import Library

    with Library(db, read_only=True) as lib:
        reports = [report.id for report in lib.reports()]
        passages = [passage.id for passage in lib.passages()]
        lib.search(QUERIES[0], mode=mode, limit=20)
        times = []
        for query in QUERIES:
            started = time.perf_counter()
            lib.search(query, mode=mode, limit=20)
            times.append(time.perf_counter() - started)
    search = {"median_ms": round(statistics.median(times) * 1000, 1), "max_ms": round(max(times) * 1000, 1)}
    return reports, rng.sample(passages, min(5000, len(passages))), len(passages), search


def phase(
    db: Path, workdir: Path, mode: str | None, args: argparse.Namespace
) -> tuple[dict[str, Any], list[Kind], Any]:
    reports, passages, total, search = sample_ids(db, random.Random(args.seed), mode or "hybrid")
    kinds = mix(mode)

    def paths(kind: Kind, rng: random.Random) -> str:
        return path_for(kind, rng, reports, passages, mode)

    result = serve_and_load([str(BIN / "covenant"), "--db", str(db), "serve"], workdir, "covenant", kinds, paths, args)
    result["reports"], result["passages"], result["library_search_in_process"] = len(reports), total, search
    return result, kinds, paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus" / "state-dept-html")
    parser.add_argument("--every", type=int, default=4, help="Every Nth State Department page (default 4: 290).")
    parser.add_argument("--db", type=Path, help="A library to serve (built here from the pages when missing).")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--hybrid-every", type=int, default=20, help="Every Nth page for hybrid (0: leave it out).")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    args = parser.parse_args()
    if not 1 <= args.clients <= 500 or not 1 <= args.seconds <= 600:
        sys.exit("--clients 1-500 and --seconds 1-600")
    pages = sorted(args.corpus.glob("*/*.html"))
    if not pages:
        sys.exit(f"no pages in {args.corpus}: the corpus lives in ../shared/corpus")
    result: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "clients": args.clients,
        "seconds": args.seconds,
        "mix": {k.name: k.weight for k in mix("bm25")},
        "queries": len(QUERIES),
    }
    with tempfile.TemporaryDirectory(prefix="covenant-web-") as tmp:
        workdir = Path(tmp)
        db = args.db or workdir / "bm25.db"
        files = pages[:: args.every]
        result["library"] = {"every": args.every, "pages": len(files), **build(db, files, semantic=False)}
        print(f"library: {result['library']}", file=sys.stderr)
        result["covenant_bm25"], _, _ = phase(db, workdir, "bm25", args)
        print(f"covenant bm25: {result['covenant_bm25']['requests_per_s']} req/s", file=sys.stderr)

        size = result["covenant_bm25"]["mean_bytes"]
        peer_script = workdir / "peer.py"
        peer_script.write_text(PEER, encoding="utf-8")
        peer_kind = [Kind("hello page", 1, HTML)]
        result["peer"] = serve_and_load(
            [sys.executable, str(peer_script), str(size)], workdir, "peer", peer_kind, lambda _k, _r: "/", args
        )
        result["peer"]["page_bytes"] = size
        print(f"peer: {result['peer']['requests_per_s']} req/s", file=sys.stderr)

        if args.hybrid_every:
            small = pages[:: args.hybrid_every]
            hybrid_db = workdir / "hybrid.db"
            result["hybrid_library"] = {
                "every": args.hybrid_every,
                "pages": len(small),
                **build(hybrid_db, small, semantic=True),
            }
            print(f"hybrid library: {result['hybrid_library']}", file=sys.stderr)
            result["covenant_hybrid"], _, _ = phase(hybrid_db, workdir, None, args)
            print(f"covenant hybrid: {result['covenant_hybrid']['requests_per_s']} req/s", file=sys.stderr)
        for built in (result["library"], result.get("hybrid_library", {})):
            if args.db is None or built.get("db") != str(args.db):
                built.pop("db", None)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "web.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    text = report(result)
    (args.out / "web.md").write_text(text, encoding="utf-8")
    print(text)


def report(r: dict[str, Any]) -> str:
    bm25, peer = r["covenant_bm25"], r["peer"]
    lib = r["library"]
    bm25_cpu = bm25["server_cpu_s"] * 1000 / max(bm25["requests"], 1)
    peer_cpu = peer["server_cpu_s"] * 1000 / max(peer["requests"], 1)
    built = f"ingested in {lib['ingest_s']} s, " if "ingest_s" in lib else ""
    lines = [
        f"# The workbench under load ({r['when']})",
        "",
        f"{r['clients']} concurrent clients (one keep-alive connection each) for {r['seconds']:g} s on 127.0.0.1, "
        f"after a warm-up that is not counted; {r['cpus']} CPUs shared by server and client (and other work). "
        f"Mix (weights): {', '.join(f'{name} {w}' for name, w in r['mix'].items())}; {r['queries']} queries.",
        "",
        f"BM25 library: every {lib['every']}th State Department page ({lib['pages']} pages, {bm25['reports']} "
        f"reports, {bm25['passages']:,} passages), {built}`covenant index --no-semantic` {lib['index_s']} s.",
        "",
        "| server | requests/s | requests | errors | mean answer | server CPU s (per request) | client CPU s "
        "| server peak RSS |",
        "|---|---|---|---|---|---|---|---|",
    ]
    runs = [("`covenant serve`, bm25", bm25), ("peer: FastAPI hello page, uvicorn", peer)]
    if "covenant_hybrid" in r:
        runs.append(("`covenant serve`, hybrid (small library)", r["covenant_hybrid"]))
    for label, run in runs:
        lines.append(
            f"| {label} | {run['requests_per_s']} | {run['requests']:,} | {run['errors']} | "
            f"{run['mean_bytes'] / 1024:.1f} KB | {run['server_cpu_s']} "
            f"({run['server_cpu_s'] * 1000 / max(run['requests'], 1):.2f} ms) | {run['client_cpu_s']} | "
            f"{run['server_peak_rss_mb']} MB |"
        )
    lines += [
        "",
        f"The peer answers {peer['requests_per_s'] / bm25['requests_per_s']:.0f}x as many requests/s as Covenant "
        f"(bm25 mix), with {peer_cpu:.2f} ms of server CPU a request against {bm25_cpu:.1f} ms: the framework's "
        f"floor (uvicorn, h11, FastAPI, a {peer['page_bytes'] / 1024:.1f} KB page, the mean answer of the Covenant "
        f"run) is about {100 * peer_cpu / bm25_cpu:.1f} % of a Covenant request; the rest is Covenant's own work.",
        "",
        "Latency under load, and with one client alone afterwards (no queue: what the request itself takes):",
        "",
        "| server | request | requests | statuses | p50 ms | p95 ms | p99 ms | alone: requests, p50 / p95 ms |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for label, run in runs:
        for name, k in run["kinds"].items():
            statuses = ", ".join(f"{code}: {n}" for code, n in k["statuses"].items())
            lines.append(
                f"| {label.split(',')[0]} | {name} | {k['requests']:,} | {statuses} | {k['p50_ms']} | "
                f"{k['p95_ms']} | {k['p99_ms']} | {k['alone']['requests']}, {k['alone']['p50_ms']} / "
                f"{k['alone']['p95_ms']} |"
            )
    if "covenant_hybrid" in r:
        h, hl = r["covenant_hybrid"], r["hybrid_library"]
        built = f"ingested in {hl['ingest_s']} s, " if "ingest_s" in hl else ""
        lines += [
            "",
            f"Hybrid library: every {hl['every']}th page ({hl['pages']} pages, {h['passages']:,} passages), {built}"
            f"`covenant index` (embedding with the default model) {hl['index_s']} s.",
        ]
    lines += ["", "`Library.search` alone in one process (limit 20, facets; each query once, warm):"]
    for label, run in runs:
        if "library_search_in_process" in run:
            t = run["library_search_in_process"]
            lines.append(f"- {label}: median {t['median_ms']} ms, max {t['max_ms']} ms")
    errors = [e for _, run in runs for e in run["error_examples"]]
    if errors:
        lines += ["", "Errors (examples):", "", *(f"- {e}" for e in errors)]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
