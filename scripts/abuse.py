#!/usr/bin/env python3
"""Login flood against the release binary (issue 15): 1,000 concurrent bad
logins while another user reads the course list, twice:

1. `throttled`: the shipped limits (5 failures per account, 50 per address
   in 15 minutes): most attempts are refused before any password hash;
2. `hash-bound`: the login limits lifted, so every attempt reaches argon2
   and only the hash gate (one hash per core, a bounded queue) holds.

It prints the answers by status, the p50/p95 of the concurrent reads and
the server's peak resident memory (VmHWM). Standard library only; it talks
to 127.0.0.1 and stops by itself. Not part of CI (timings depend on the
machine): run it with `just abuse` (SQLite) or
`DATABASE_URL=postgres://… just abuse`.
"""

import collections
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time

BINARY = os.environ.get("MDSC_BINARY", "target/release/mdsc-gateway")
PORT = int(os.environ.get("ABUSE_PORT", "18080"))
FLOOD = int(os.environ.get("ABUSE_FLOOD", "1000"))
READERS = 2


def request(method, path, body=None, token=None, timeout=60):
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=timeout)
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        conn.request(method, path, json.dumps(body) if body is not None else None, headers)
        res = conn.getresponse()
        data = res.read()
        return res.status, data
    finally:
        conn.close()


def peak_rss_mb(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def start_server(extra_env):
    data_dir = tempfile.mkdtemp(prefix="mdsc-abuse-")
    env = dict(os.environ)
    env.update(
        {
            "BIND_ADDR": f"127.0.0.1:{PORT}",
            "DATA_DIR": data_dir,
            "JOBS_POLL_SECONDS": "0",
            "RUST_LOG": "warn",
            "JWT_SECRET": "abuse-test-secret-abuse-test-secret",
        }
    )
    env.update(extra_env)
    if "DATABASE_URL" in os.environ:
        # A fresh PostgreSQL schema would need admin rights; reuse the
        # database and make the e-mails unique instead.
        env["DATABASE_URL"] = os.environ["DATABASE_URL"]
    proc = subprocess.Popen([BINARY, "serve"], env=env, stdout=subprocess.DEVNULL)
    for _ in range(100):
        try:
            if request("GET", "/api/health", timeout=2)[0] == 200:
                return proc
        except OSError:
            pass
        time.sleep(0.1)
    proc.kill()
    sys.exit("the server did not start")


def run(name, extra_env):
    proc = start_server(extra_env)
    try:
        tag = f"{int(time.time() * 1000)}"
        status, body = request(
            "POST",
            "/api/auth/register",
            {"email": f"reader{tag}@example.com", "password": "password123",
             "first_name": "Reader", "last_name": "Abuse"},
        )
        if status != 201:
            sys.exit(f"register: {status} {body[:200]!r}")
        token = json.loads(body)["data"]["token"]
        rss_before = peak_rss_mb(proc.pid)

        statuses = collections.Counter()
        errors = collections.Counter()
        lock = threading.Lock()
        start = threading.Barrier(FLOOD + 1)

        def bad_login(n):
            start.wait()
            try:
                status, _ = request(
                    "POST",
                    "/api/auth/login",
                    {"email": f"victim{n % 50}-{tag}@example.com", "password": "guess"},
                )
                with lock:
                    statuses[status] += 1
            except OSError as e:
                with lock:
                    errors[type(e).__name__] += 1

        latencies = []
        flooding = threading.Event()
        flooding.set()

        def reader():
            while flooding.is_set():
                t0 = time.perf_counter()
                status, _ = request("GET", "/api/courses", token=token)
                elapsed = (time.perf_counter() - t0) * 1000
                with lock:
                    latencies.append((status, elapsed))

        threads = [threading.Thread(target=bad_login, args=(n,)) for n in range(FLOOD)]
        for t in threads:
            t.start()
        readers = [threading.Thread(target=reader) for _ in range(READERS)]
        t0 = time.perf_counter()
        start.wait()
        for r in readers:
            r.start()
        for t in threads:
            t.join()
        flood_secs = time.perf_counter() - t0
        flooding.clear()
        for r in readers:
            r.join()
        reads = [ms for status, ms in latencies if status == 200]
        read_statuses = collections.Counter(status for status, _ in latencies)
        print(f"--- {name} ---")
        print(f"{FLOOD} concurrent bad logins in {flood_secs:.1f} s: "
              f"{dict(sorted(statuses.items()))} connection errors {dict(errors)}")
        if reads:
            cuts = statistics.quantiles(reads, n=20)
            print(f"concurrent GET /api/courses: {len(latencies)} reads {dict(read_statuses)}, "
                  f"p50 {statistics.median(reads):.1f} ms, p95 {cuts[18]:.1f} ms")
        print(f"server peak resident memory: {rss_before:.0f} MB before, "
              f"{peak_rss_mb(proc.pid):.0f} MB after")
        return statuses
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def main():
    if not os.path.exists(BINARY):
        sys.exit(f"{BINARY} is missing: cargo build --release first")
    throttled = run("throttled (shipped limits)", {})
    unlimited = {
        "LOGIN_MAX_FAILURES_PER_ACCOUNT": "1000000",
        "LOGIN_MAX_FAILURES_PER_ADDRESS": "1000000",
    }
    hash_bound = run("hash-bound (login limits lifted)", unlimited)
    if throttled.get(500) or hash_bound.get(500):
        sys.exit("FAILED: some answers were 500")


if __name__ == "__main__":
    main()
