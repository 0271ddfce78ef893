#!/usr/bin/env python3
"""Scale benchmark (issue 21): the same requests at 1x and 100x data, on
SQLite and on PostgreSQL, against the release binary over HTTP.

For each backend and scale it seeds a fresh database with
`target/release/examples/seed_scale` (see gateway/examples/seed_scale), starts
`target/release/mdsc-gateway serve` on it, signs in, and drives every list
endpoint's page 1 with CONCURRENCY keep-alive connections for SECONDS, then
the writes: replies posted one at a time into threads of 9 and 9,999
replies, and CONCURRENCY writers posting into the big thread at once. On
PostgreSQL it then captures the SQL of each hot read (log_statement=all on
the benchmark database, read back from the server log), runs it with
`pgbench -c CONCURRENCY -j2 -T SECONDS` and compares pgbench's rate with the
API's, measured right before (by wrk when installed). On SQLite it times
`UPDATE ... SET id = id` on rows with many and few referencing rows: what
`lock_row!` ran there before it became a plain lookup.

It prints the tables and writes them to target/bench-scale.md (and the raw
figures to target/bench-scale.json). Standard library only. A benchmark,
not a test: nothing asserts on timings. `just bench-scale` builds and runs it.

Settings (environment): BENCH_BACKENDS (sqlite,postgres), BENCH_SCALES (1,100),
BENCH_SECONDS (5), BENCH_CONCURRENCY (16), BENCH_PG (postgres://postgres@127.0.0.1:5432),
BENCH_PG_LOG (/var/log/postgresql/postgresql-15-main.log), BENCH_PORT (18090).
`python3 scripts/bench_scale.py --report` reprints the tables from the JSON.
"""

import http.client
import json
import os
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET = os.path.join(ROOT, "target")
BINARY = os.environ.get("MDSC_BINARY", os.path.join(TARGET, "release", "mdsc-gateway"))
SEEDER = os.environ.get("BENCH_SEEDER", os.path.join(TARGET, "release", "examples", "seed_scale"))
BACKENDS = os.environ.get("BENCH_BACKENDS", "sqlite,postgres").split(",")
SCALES = [int(s) for s in os.environ.get("BENCH_SCALES", "1,100").split(",")]
SECONDS = float(os.environ.get("BENCH_SECONDS", "5"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "16"))
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
PG_LOG = os.environ.get("BENCH_PG_LOG", "/var/log/postgresql/postgresql-15-main.log")
PORT = int(os.environ.get("BENCH_PORT", "18090"))
SEQUENTIAL_POSTS = int(os.environ.get("BENCH_POSTS", "40"))
RESULTS_JSON = os.path.join(TARGET, "bench-scale.json")
RESULTS_MD = os.path.join(TARGET, "bench-scale.md")

# (name, path, who, hot read, list endpoint with the 1.3x target)
READS = [
    ("courses", "/api/courses", "student", False, True),
    ("catalog search (every course)", "/api/courses?search=course", "student", False, False),
    ("catalog search (one course)", "/api/courses?search=9999", "student", False, False),
    ("catalog by rating", "/api/courses?sort=rating", "student", False, False),
    ("catalog by title", "/api/courses?sort=title", "student", False, False),
    ("roster", "/api/courses/{course_id}/enrollments", "instructor", False, True),
    ("course page", "/api/courses/{course_id}", "student", True, False),
    ("enrollments", "/api/enrollments", "student", False, True),
    ("ratings", "/api/courses/{course_id}/ratings", "student", False, True),
    ("rating stats", "/api/courses/{course_id}/ratings/stats", "student", True, False),
    ("forum topics", "/api/forums/{forum_id}/topics", "student", True, True),
    ("forum search (10% of topics)", "/api/forums/{forum_id}/topics?search={search_common}", "student", False, False),
    ("forum search (0.1%)", "/api/forums/{forum_id}/topics?search={search_rare}", "student", False, False),
    ("replies", "/api/topics/{big_topic_id}/replies", "student", True, True),
    ("reports queue", "/api/courses/{course_id}/forum/reports", "instructor", False, True),
    ("notifications", "/api/notifications", "student", False, True),
    ("unread count", "/api/notifications/unread-count", "student", False, False),
    ("live sessions", "/api/courses/{course_id}/live-sessions", "student", True, True),
    ("chat", "/api/live-sessions/{session_id}/chat", "instructor", False, True),
    ("participants", "/api/live-sessions/{session_id}/participants", "instructor", False, True),
    ("instructor sessions", "/api/instructor/live-sessions", "instructor", False, True),
    ("calendar events", "/api/calendar/events", "student", False, True),
]
HOT = [r for r in READS if r[3]]


def log(msg):
    print(msg, file=sys.stderr, flush=True)


# --- HTTP ---------------------------------------------------------------------


class Client:
    """One keep-alive connection."""

    def __init__(self, token=None):
        self.token = token
        self.conn = None

    def request(self, method, path, body=None):
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        data = json.dumps(body) if body is not None else None
        for attempt in (0, 1):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
            try:
                self.conn.request(method, path, data, headers)
                res = self.conn.getresponse()
                payload = res.read()
                if res.getheader("Connection", "").lower() == "close":
                    self.close()
                return res.status, payload
            except (http.client.HTTPException, OSError):
                self.close()
                if attempt:
                    raise
        raise RuntimeError("unreachable")

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def percentile(values, p):
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, int(round(p / 100 * len(ordered) + 0.5)) - 1))
    return ordered[k]


def drive(make_request, seconds=SECONDS, concurrency=CONCURRENCY, warmup=0.5):
    """`concurrency` threads call make_request(client_index, client) in a loop
    for `seconds` (after `warmup`); returns latencies (ms), statuses, rate."""
    clients = [None] * concurrency
    latencies = [[] for _ in range(concurrency)]
    statuses = [{} for _ in range(concurrency)]
    state = {"measure": False, "stop": False}
    start = threading.Barrier(concurrency + 1)

    def worker(i):
        start.wait()
        while not state["stop"]:
            t0 = time.perf_counter()
            try:
                status = make_request(i)
            except (OSError, http.client.HTTPException):
                status = "error"
            elapsed = (time.perf_counter() - t0) * 1000
            if state["measure"]:
                latencies[i].append(elapsed)
                statuses[i][status] = statuses[i].get(status, 0) + 1

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(concurrency)]
    for t in threads:
        t.start()
    start.wait()
    time.sleep(warmup)
    state["measure"] = True
    t0 = time.perf_counter()
    time.sleep(seconds)
    state["measure"] = False
    elapsed = time.perf_counter() - t0
    state["stop"] = True
    for t in threads:
        t.join()
    del clients
    all_lat = [x for per in latencies for x in per]
    merged = {}
    for per in statuses:
        for k, v in per.items():
            merged[str(k)] = merged.get(str(k), 0) + v
    return {
        "p50": percentile(all_lat, 50),
        "p99": percentile(all_lat, 99),
        "rps": len(all_lat) / elapsed,
        "n": len(all_lat),
        "statuses": merged,
    }


# --- databases ------------------------------------------------------------------


def psql(sql, db="postgres"):
    subprocess.run(["psql", f"{PG}/{db}", "-v", "ON_ERROR_STOP=1", "-q", "-c", sql],
                   check=True, stdout=subprocess.DEVNULL)


def fresh_database(backend, scale):
    if backend == "sqlite":
        folder = os.path.join(TARGET, "bench-scale")
        os.makedirs(folder, exist_ok=True)
        path = os.path.join(folder, f"scale-{scale}x.db")
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(path + suffix):
                os.remove(path + suffix)
        return f"sqlite://{path}", path
    name = f"mdsc_bench_scale_{scale}x"
    psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    psql(f"CREATE DATABASE {name}")
    return f"{PG}/{name}", name


def drop_database(backend, handle):
    if backend == "postgres":
        psql(f"DROP DATABASE IF EXISTS {handle} WITH (FORCE)")
    else:
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(handle + suffix):
                os.remove(handle + suffix)


def seed(url, scale):
    t0 = time.perf_counter()
    out = subprocess.run([SEEDER, str(scale)], env=dict(os.environ, DATABASE_URL=url,
                                                         RUST_LOG="warn"),
                         check=True, capture_output=True, text=True)
    info = json.loads(out.stdout.strip().splitlines()[-1])
    info["seed_seconds"] = round(time.perf_counter() - t0, 1)
    return info


# --- server ---------------------------------------------------------------------


class Server:
    def __init__(self, url):
        self.data_dir = tempfile.mkdtemp(prefix="mdsc-bench-scale-")
        env = dict(os.environ)
        env.update({
            "BIND_ADDR": f"127.0.0.1:{PORT}",
            "DATABASE_URL": url,
            "DATA_DIR": self.data_dir,
            "JWT_SECRET": "bench-scale-secret-bench-scale-secret",
            # No job worker: e-mails and reminders would run during the measures.
            "JOBS_POLL_SECONDS": "0",
            "RUST_LOG": "warn",
            # The benchmark posts far faster than the anti-spam bounds allow.
            "FORUM_REPLIES_PER_MINUTE": "4294967295",
            "FORUM_TOPICS_PER_MINUTE": "4294967295",
            "LOGIN_MAX_FAILURES_PER_ADDRESS": "100000",
        })
        self.log = open(os.path.join(self.data_dir, "server.log"), "w")
        self.proc = subprocess.Popen([BINARY, "serve"], env=env, stdout=self.log,
                                     stderr=subprocess.STDOUT)
        for _ in range(300):
            try:
                if Client().request("GET", "/api/health")[0] == 200:
                    return
            except OSError:
                pass
            if self.proc.poll() is not None:
                break
            time.sleep(0.1)
        self.stop()
        sys.exit(f"the server did not start; see {self.data_dir}/server.log")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        shutil.rmtree(self.data_dir, ignore_errors=True)


def login(email, password):
    status, body = Client().request("POST", "/api/auth/login",
                                    {"email": email, "password": password})
    if status != 200:
        sys.exit(f"login {email}: {status} {body[:300]!r}")
    return json.loads(body)["data"]["token"]


def sign_in(info):
    tokens = {who: login(info[who], info["password"]) for who in ("student", "instructor", "admin")}
    tokens["writers"] = [login(email, info["password"]) for email in info["writers"]]
    return tokens


def read_path(template, info):
    return template.format(**info)


def check_reads(info, tokens):
    for name, path, who, _, _ in READS:
        status, body = Client(tokens[who]).request("GET", read_path(path, info))
        if status != 200:
            sys.exit(f"{name}: GET {read_path(path, info)} answered {status} {body[:300]!r}")


def measure_read(info, tokens, template, who, seconds=SECONDS):
    path = read_path(template, info)
    clients = [Client(tokens[who]) for _ in range(CONCURRENCY)]
    try:
        return drive(lambda i: clients[i].request("GET", path)[0], seconds=seconds)
    finally:
        for c in clients:
            c.close()


def post_reply(client, topic, text):
    status, body = client.request("POST", f"/api/topics/{topic}/replies", {"content": text})
    if status != 201:
        raise RuntimeError(f"posting a reply to topic {topic}: {status} {body[:300]!r}")
    return status


def measure_writes(info, tokens):
    out = {}
    student = Client(tokens["student"])
    # One at a time, alternating between the threads of 9 and 9,999 replies
    # (and the big thread), so that drift hits them alike.
    small, large, big = [], [], []
    for n in range(SEQUENTIAL_POSTS):
        for topic, into in ((info["topic_10_id"], small), (info["topic_10k_id"], large),
                            (info["big_topic_id"], big)):
            t0 = time.perf_counter()
            post_reply(student, topic, f"Sequential reply {n} into topic {topic}.")
            into.append((time.perf_counter() - t0) * 1000)
    student.close()
    out["post 10th"] = {"p50": statistics.median(small), "p99": percentile(small, 99), "n": len(small)}
    out["post 10,000th"] = {"p50": statistics.median(large), "p99": percentile(large, 99), "n": len(large)}
    out["post into big thread"] = {"p50": statistics.median(big), "p99": percentile(big, 99), "n": len(big)}
    writers = [Client(t) for t in tokens["writers"]]
    counter = [0]

    def write(i):
        counter[0] += 1
        status, _ = writers[i % len(writers)].request(
            "POST", f"/api/topics/{info['big_topic_id']}/replies",
            {"content": f"Concurrent reply {counter[0]} from writer {i}."})
        return status

    out[f"{CONCURRENCY} writers"] = drive(write, concurrency=min(CONCURRENCY, len(writers)))
    for w in writers:
        w.close()
    return out


# --- SQLite: lock_row! ------------------------------------------------------------


def time_lock_row(path, info):
    """`UPDATE t SET id = id WHERE id = ?` (lock_row!'s statement, which it no
    longer runs on SQLite) with foreign keys on, on rows with many and few
    referencing rows; rolled back."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA busy_timeout = 5000")
    out = {}
    cases = [
        ("forum_topics", info["big_topic_id"], f"topic of {info['big_topic_replies']:,} replies"),
        ("forum_topics", info["topic_10_id"], "topic of 9 replies"),
        ("courses", info["course_id"], "busy course"),
        ("courses", info["course_id"] + 1, "course with 1 enrollment"),
        ("users", 4, "student (many rows reference them)"),
    ]
    for table, row, label in cases:
        times = []
        for _ in range(30):
            conn.execute("BEGIN IMMEDIATE")
            t0 = time.perf_counter()
            conn.execute(f"UPDATE {table} SET id = id WHERE id = ?", (row,))
            times.append((time.perf_counter() - t0) * 1000)
            conn.execute("ROLLBACK")
        out[f"{table} {row} ({label})"] = statistics.median(times)
    conn.close()
    return out


# --- PostgreSQL: pgbench on the hot reads' SQL ----------------------------------

RECORD = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")
PARAM = re.compile(r"\$(\d+) = (NULL|'(?:[^']|'')*')")


def log_records(start, db):
    """The log records of `db` written after byte `start`."""
    with open(PG_LOG, "rb") as f:
        f.seek(start)
        text = f.read().decode("utf-8", "replace")
    records, current = [], None
    for line in text.splitlines():
        if RECORD.match(line):
            if current is not None:
                records.append(current)
            current = line
        elif current is not None:
            current += "\n" + line
    if current is not None:
        records.append(current)
    return [r for r in records if f"@{db} " in r]


def statements_of(records):
    """The statements of these records, parameters inlined."""
    out = []
    for record in records:
        m = re.search(r" LOG:  (?:execute [^:]+|statement): (.*)$", record, re.S)
        if m:
            out.append([m.group(1).strip(), {}])
            continue
        m = re.search(r" DETAIL:  parameters: (.*)$", record, re.S)
        if m and out:
            out[-1][1] = {k: v for k, v in PARAM.findall(m.group(1))}
    result = []
    for sql, params in out:
        if sql.upper() in ("SELECT 1", "SELECT 1;"):
            continue  # the pool's test of a connection, not the request's
        sql = re.sub(r"\$(\d+)", lambda m: params.get(m.group(1), m.group(0)), sql)
        result.append(" ".join(sql.split()))
    return result


def capture_statements(url, db, info):
    psql(f"ALTER DATABASE {db} SET log_statement = 'all'")
    captured = {}
    server = Server(url)
    try:
        tokens = {who: login(info[who], info["password"]) for who in ("student", "instructor")}
        for name, path, who, _, _ in HOT:
            client = Client(tokens[who])
            for _ in range(2):  # the pool's connections are then warm
                client.request("GET", read_path(path, info))
            time.sleep(0.3)
            start = os.path.getsize(PG_LOG)
            client.request("GET", read_path(path, info))
            time.sleep(0.5)  # the log is written asynchronously
            captured[name] = statements_of(log_records(start, db))
            client.close()
    finally:
        server.stop()
        psql(f"ALTER DATABASE {db} RESET log_statement")
    return captured


def pgbench(db, statements, name):
    script = os.path.join(TARGET, "bench-scale", f"pgbench-{name.replace(' ', '-')}.sql")
    os.makedirs(os.path.dirname(script), exist_ok=True)
    with open(script, "w") as f:
        for sql in statements:
            f.write(sql.rstrip(";") + ";\n")
    out = subprocess.run(
        ["pgbench", "-n", "-M", "prepared", f"-c{CONCURRENCY}", "-j2", f"-T{int(max(SECONDS, 1))}",
         "-f", script, f"{PG}/{db}"],
        capture_output=True, text=True)
    m = re.search(r"tps = ([\d.]+) \(without initial connection time\)", out.stdout)
    if not m:
        return {"error": (out.stderr or out.stdout)[-500:], "script": script}
    lat = re.search(r"latency average = ([\d.]+) ms", out.stdout)
    return {"tps": float(m.group(1)), "latency_ms": float(lat.group(1)) if lat else None,
            "script": os.path.relpath(script, ROOT), "statements": len(statements)}


def measure_read_wrk(info, tokens, template, who, seconds=SECONDS):
    """The API's rate for one read, driven by wrk (C, 2 threads): the Python
    client costs more CPU per request than the server, and on two shared
    cores it would measure itself rather than the API. None without wrk."""
    if not shutil.which("wrk"):
        return None
    url = f"http://127.0.0.1:{PORT}{read_path(template, info)}"
    out = subprocess.run(
        ["wrk", "-t2", f"-c{CONCURRENCY}", f"-d{int(max(seconds, 1))}s", "--latency",
         "-H", f"Authorization: Bearer {tokens[who]}", url],
        capture_output=True, text=True, check=False).stdout
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    p50 = re.search(r"50%\s+([\d.]+)(us|ms|s)", out)
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    if not rate or non_2xx:
        sys.exit(f"wrk on {url} failed: {out[-500:]}")
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    return {"rps": float(rate.group(1)),
            "p50": float(p50.group(1)) * scale[p50.group(2)] if p50 else None}


def pgbench_compare(url, db, info):
    if not (shutil.which("pgbench") and os.access(PG_LOG, os.R_OK)):
        return {"skipped": f"needs pgbench and a readable {PG_LOG}"}
    captured = capture_statements(url, db, info)
    out = {}
    server = Server(url)
    try:
        tokens = {who: login(info[who], info["password"]) for who in ("student", "instructor")}
        for name, path, who, _, _ in HOT:
            api = measure_read_wrk(info, tokens, path, who) or measure_read(info, tokens, path, who)
            bench = pgbench(db, captured[name], name)
            out[name] = {"api_rps": api["rps"], "api_p50": api["p50"], "pgbench": bench,
                         "sql": captured[name]}
            if "tps" in bench:
                log(f"    {name}: API {api['rps']:.0f} req/s, pgbench {bench['tps']:.0f} tps "
                    f"({len(captured[name])} statements)")
            else:
                log(f"    {name}: pgbench failed: {bench['error']}")
    finally:
        server.stop()
    return out


# --- one run --------------------------------------------------------------------


def run(backend, scale):
    url, handle = fresh_database(backend, scale)
    try:
        log(f"== {backend} {scale}x: seeding")
        info = seed(url, scale)
        log(f"   seeded in {info['seed_seconds']} s: {json.dumps(info['figures'])}")
        if backend == "postgres":
            # The seed's WAL would otherwise be checkpointed during the
            # measures (minutes of disk writes at 100x): flush it first.
            psql("CHECKPOINT")
        result = {"seed": info}
        server = Server(url)
        try:
            tokens = sign_in(info)
            check_reads(info, tokens)
            reads = {}
            for name, path, who, _, _ in READS:
                reads[name] = measure_read(info, tokens, path, who)
                r = reads[name]
                log(f"   {name:32} p50 {r['p50']:7.2f} ms  p99 {r['p99']:7.2f} ms  "
                    f"{r['rps']:7.0f} req/s  {r['statuses']}")
            result["reads"] = reads
            writes = measure_writes(info, tokens)
            for name, r in writes.items():
                log(f"   {name:32} p50 {r['p50']:7.2f} ms  p99 {r['p99']:7.2f} ms"
                    + (f"  {r['rps']:7.0f} req/s  {r['statuses']}" if "rps" in r else ""))
            result["writes"] = writes
        finally:
            server.stop()
        if backend == "sqlite":
            result["lock_row"] = time_lock_row(handle, info)
            for k, v in result["lock_row"].items():
                log(f"   lock_row {k}: {v:.3f} ms")
        else:
            log("   pgbench on the hot reads")
            result["pgbench"] = pgbench_compare(url, handle, info)
        return result
    finally:
        drop_database(backend, handle)


# --- report ---------------------------------------------------------------------


def fmt(x, digits=2):
    return "–" if x is None or x != x else f"{x:.{digits}f}"


def report(results):
    lines = []
    meta = results.get("meta", {})
    lines.append(f"Scale benchmark, {meta.get('date', '?')}: {CONCURRENCY if not meta else meta['concurrency']} "
                 f"concurrent connections, {meta.get('seconds', SECONDS)} s per endpoint, page 1 of each list.")
    lines.append("")
    for backend in BACKENDS_IN(results):
        runs = results.get(backend, {})
        lo, hi = runs.get("1"), runs.get("100")
        if not (lo and hi):
            continue
        lines.append(f"### {'SQLite' if backend == 'sqlite' else 'PostgreSQL'}")
        lines.append("")
        lines.append("| endpoint | p50 1× (ms) | p99 1× | p50 100× | p99 100× | p50 ratio | req/s 1× | req/s 100× | target |")
        lines.append("|---|---|---|---|---|---|---|---|---|")
        for name, _, _, hot, listed in READS:
            a, b = lo["reads"][name], hi["reads"][name]
            ratio = b["p50"] / a["p50"]
            target = ""
            if listed:
                target = f"≤ 1.3: {'met' if ratio <= 1.3 else 'missed'}"
            if name.startswith("forum search"):
                base = hi["reads"]["forum topics"]["p50"]
                s = b["p50"] / base
                target = f"100× ≤ 3× topics: {s:.2f}× {'met' if s <= 3 else 'missed'}"
            lines.append(f"| {name} | {fmt(a['p50'])} | {fmt(a['p99'])} | {fmt(b['p50'])} | {fmt(b['p99'])} "
                         f"| {ratio:.2f} | {a['rps']:.0f} | {b['rps']:.0f} | {target} |")
        lines.append("")
        lines.append("| write | p50 1× (ms) | p99 1× | p50 100× | p99 100× | req/s 1× | req/s 100× |")
        lines.append("|---|---|---|---|---|---|---|")
        for name in lo["writes"]:
            a, b = lo["writes"][name], hi["writes"][name]
            lines.append(f"| {name} | {fmt(a['p50'])} | {fmt(a['p99'])} | {fmt(b['p50'])} | {fmt(b['p99'])} "
                         f"| {fmt(a.get('rps'), 0)} | {fmt(b.get('rps'), 0)} |")
        for label, r in (("1×", lo), ("100×", hi)):
            w = r["writes"]
            ratio = w["post 10,000th"]["p50"] / w["post 10th"]["p50"]
            lines.append("")
            lines.append(f"Posting at {label}: 10,000th reply / 10th reply p50 = {ratio:.2f} "
                         f"(target ≤ 1.5: {'met' if ratio <= 1.5 else 'missed'}).")
        if backend == "sqlite":
            for label, r in (("1×", lo), ("100×", hi)):
                k = f"{CONCURRENCY} writers" if f"{CONCURRENCY} writers" in r["writes"] else \
                    [x for x in r["writes"] if x.endswith("writers")][0]
                p99 = r["writes"][k]["p99"]
                lines.append(f"SQLite {k} at {label}: p99 {p99:.1f} ms "
                             f"(target < 250 ms: {'met' if p99 < 250 else 'missed'}).")
            lines.append("")
            lines.append("`UPDATE t SET id = id` (what `lock_row!` ran on SQLite before it became a lookup there), foreign keys on, median of 30, in ms:")
            lines.append("")
            lines.append("| row | 1× | 100× |")
            lines.append("|---|---|---|")
            keys_lo, keys_hi = list(lo.get("lock_row", {})), list(hi.get("lock_row", {}))
            for k_lo, k_hi in zip(keys_lo, keys_hi):
                lines.append(f"| {k_hi.split(' (')[0]} ({k_hi.split(' (', 1)[1][:-1]} at 100×) "
                             f"| {lo['lock_row'][k_lo]:.3f} | {hi['lock_row'][k_hi]:.3f} |")
        if backend == "postgres":
            lines.append("")
            lines.append("Hot reads against pgbench running the same statements (`pgbench -n -M prepared "
                         f"-c{CONCURRENCY} -j2`), measured one after the other; the API driven by "
                         f"{'`wrk -t2 -c' + str(CONCURRENCY) + '`' if shutil.which('wrk') else 'the Python client'}:")
            lines.append("")
            lines.append("| hot read | statements | API req/s 1× | pgbench tps 1× | ratio 1× | API req/s 100× "
                         "| pgbench tps 100× | ratio 100× | target ≥ 0.8 |")
            lines.append("|---|---|---|---|---|---|---|---|---|")
            for name, *_ in HOT:
                a, b = lo.get("pgbench", {}).get(name), hi.get("pgbench", {}).get(name)
                if not (a and b):
                    continue
                ta, tb = a["pgbench"].get("tps"), b["pgbench"].get("tps")
                ra = a["api_rps"] / ta if ta else None
                rb = b["api_rps"] / tb if tb else None
                ok = "met" if (ra and rb and min(ra, rb) >= 0.8) else "missed"
                lines.append(f"| {name} | {a['pgbench'].get('statements', '–')} | {a['api_rps']:.0f} | {fmt(ta, 0)} "
                             f"| {fmt(ra)} | {b['api_rps']:.0f} | {fmt(tb, 0)} | {fmt(rb)} | {ok} |")
        lines.append("")
        seeds = ", ".join(f"{s}×: {runs[s]['seed']['seed_seconds']} s" for s in ("1", "100"))
        lines.append(f"Seeding took {seeds}.")
        lines.append("")
    return "\n".join(lines)


def BACKENDS_IN(results):
    return [b for b in ("sqlite", "postgres") if b in results]


def main():
    if "--report" in sys.argv:
        with open(RESULTS_JSON) as f:
            print(report(json.load(f)))
        return
    for path in (BINARY, SEEDER):
        if not os.path.exists(path):
            sys.exit(f"{path} is missing: cargo build --release --example seed_scale -p mdsc-gateway "
                     "&& cargo build --release")
    results = {}
    if os.path.exists(RESULTS_JSON) and os.environ.get("BENCH_KEEP"):
        with open(RESULTS_JSON) as f:
            results = json.load(f)
    results["meta"] = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                       "concurrency": CONCURRENCY, "seconds": SECONDS, "cores": os.cpu_count()}
    t0 = time.perf_counter()
    for backend in BACKENDS:
        for scale in SCALES:
            results.setdefault(backend, {})[str(scale)] = run(backend, scale)
            with open(RESULTS_JSON, "w") as f:
                json.dump(results, f, indent=1)
    results["meta"]["minutes"] = round((time.perf_counter() - t0) / 60, 1)
    with open(RESULTS_JSON, "w") as f:
        json.dump(results, f, indent=1)
    text = report(results)
    with open(RESULTS_MD, "w") as f:
        f.write(text + "\n")
    print(text)
    log(f"took {results['meta']['minutes']} min; tables in {RESULTS_MD}")


if __name__ == "__main__":
    main()
