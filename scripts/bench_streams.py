#!/usr/bin/env python3
"""Real-time fan-out benchmark (issue 21, requirement 6): N event streams
(default 2,000) on one forum topic, one new reply, and how long it takes
to reach them all; and the gateway's memory per idle stream.

Two ways to run it, standard library only:

1. Against the release binary, which the script starts itself on a fresh
   SQLite file (or on `DATABASE_URL=postgres://…`, with unique e-mails),
   with the stream limits raised, and sets up an admin, an instructor, a
   course, its students and a topic:

       python3 scripts/bench_streams.py --streams 2000
       DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench \
           python3 scripts/bench_streams.py --streams 10000

2. Against a gateway already running (its limits must allow the streams:
   `SSE_MAX_STREAMS_PER_USER`, `SSE_MAX_STREAMS_PER_ADDRESS`):

       python3 scripts/bench_streams.py --url http://127.0.0.1:8080 \
           --pid 1234 --topic 7 --poster TOKEN --tokens tokens.txt

   `tokens.txt` holds one API token per line, of users who may read the
   topic; streams are spread over them. `--pid` (the gateway's process id)
   is for the memory figure, read from `/proc/<pid>/status` (VmRSS).

Latency is measured from just before the reply's POST to the arrival of
its event on each stream, as read by a few client processes (one thread of
Python per process reads its share of the sockets with `selectors`, and
stamps each frame when its bytes arrive). Memory per idle stream is the
gateway's VmRSS after the streams opened and settled, minus before, over N.
"""

import argparse
import http.client
import json
import math
import multiprocessing
import os
import resource
import selectors
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse

BINARY = os.environ.get("MDSC_BINARY", "target/release/mdsc-gateway")
PASSWORD = "bench-password-1"
# Streams each client process opens at once.
OPEN_BATCH = 100


def raise_fd_limit():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def request(base, method, path, body=None, token=None, timeout=120):
    url = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname, url.port or 80, timeout=timeout)
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        conn.request(method, path, json.dumps(body) if body is not None else None, headers)
        res = conn.getresponse()
        data = res.read()
        payload = json.loads(data) if data else None
        if res.status >= 300:
            raise RuntimeError(f"{method} {path}: {res.status} {payload}")
        return payload["data"] if isinstance(payload, dict) and "data" in payload else payload
    finally:
        conn.close()


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


# --- the gateway, started by the script -----------------------------------


def start_gateway(port, streams):
    data_dir = tempfile.mkdtemp(prefix="mdsc-bench-streams-")
    env = dict(os.environ)
    env.update(
        {
            "BIND_ADDR": f"127.0.0.1:{port}",
            "DATA_DIR": data_dir,
            "JOBS_POLL_SECONDS": "0",
            "RUST_LOG": "warn",
            "JWT_SECRET": "bench-streams-secret-bench-streams-secret",
            "SSE_MAX_STREAMS_PER_USER": "1000",
            "SSE_MAX_STREAMS_PER_ADDRESS": str(max(streams * 2, 200)),
            "REGISTRATIONS_PER_ADDRESS_PER_HOUR": "100000",
            "FORUM_REPLIES_PER_MINUTE": "1000",
        }
    )
    proc = subprocess.Popen(
        [BINARY, "serve"],
        env=env,
        stdout=subprocess.DEVNULL,
        preexec_fn=raise_fd_limit,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            request(base, "GET", "/api/health", timeout=2)
            return proc, base, env
        except (OSError, RuntimeError):
            time.sleep(0.1)
    proc.kill()
    sys.exit("the gateway did not start")


def set_up(base, env, users):
    """An admin, an instructor, a course, `users` enrolled students and a
    topic; returns (topic id, the instructor's token, the students' tokens)."""
    tag = f"{os.getpid()}-{int(time.time())}"
    admin_email = f"admin-{tag}@bench.example"
    subprocess.run(
        [BINARY, "create-admin", "--email", admin_email, "--password", PASSWORD],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    admin = request(base, "POST", "/api/auth/login", {"email": admin_email, "password": PASSWORD})["token"]

    def register(name):
        body = {
            "email": f"{name}-{tag}@bench.example",
            "password": PASSWORD,
            "first_name": "Bench",
            "last_name": name,
        }
        data = request(base, "POST", "/api/auth/register", body)
        return data["token"], data["user"]["id"]

    _, instructor_id = register("instructor")
    request(base, "PUT", f"/api/admin/users/{instructor_id}/role", {"role": "instructor"}, admin)
    instructor = request(
        base, "POST", "/api/auth/login",
        {"email": f"instructor-{tag}@bench.example", "password": PASSWORD},
    )["token"]
    course = request(base, "POST", "/api/courses", {"title": f"Bench {tag}"}, instructor)["id"]
    students = []
    for i in range(users):
        token, _ = register(f"student{i}")
        request(base, "POST", "/api/enrollments", {"course_id": course}, token)
        students.append(token)
    forum = request(base, "GET", f"/api/courses/{course}/forum", token=instructor)["id"]
    topic = request(
        base, "POST", f"/api/forums/{forum}/topics",
        {"title": "Fan-out", "content": "Who hears this?"}, students[0],
    )["id"]
    return topic, instructor, students


# --- the client processes --------------------------------------------------


def reader(base, path, tokens, ready, go, results):
    """Opens one stream per token, reports when all are open, then stamps
    the arrival of the first `forum_reply` event on each."""
    raise_fd_limit()
    url = urllib.parse.urlsplit(base)
    sel = selectors.DefaultSelector()
    buffers = {}
    opened = 0
    # Opened a batch at a time: thousands of opens at once would queue
    # past the gateway's database lanes (503 SERVER_BUSY), which is not
    # what this measures.
    for start in range(0, len(tokens), OPEN_BATCH):
        waiting_open = set()
        for token in tokens[start : start + OPEN_BATCH]:
            sock = socket.create_connection((url.hostname, url.port or 80))
            sock.sendall(
                (
                    f"GET {path} HTTP/1.1\r\nHost: {url.hostname}\r\n"
                    f"Authorization: Bearer {token}\r\nAccept: text/event-stream\r\n\r\n"
                ).encode()
            )
            sock.setblocking(False)
            sel.register(sock, selectors.EVENT_READ)
            buffers[sock] = bytearray()
            waiting_open.add(sock)
        # Open: the status line and the `retry:` frame have arrived.
        while waiting_open:
            events = sel.select(timeout=60)
            if not events:
                sys.exit("streams did not open within 60 s")
            for key, _ in events:
                sock = key.fileobj
                chunk = sock.recv(65536)
                if not chunk:
                    sys.exit(f"a stream was closed while opening: {bytes(buffers[sock])[:300]!r}")
                buffers[sock] += chunk
                if sock in waiting_open and b"retry:" in buffers[sock]:
                    if not buffers[sock].startswith(b"HTTP/1.1 200"):
                        sys.exit(f"a stream was refused: {bytes(buffers[sock])[:300]!r}")
                    waiting_open.discard(sock)
                    buffers[sock].clear()
                    opened += 1
    ready.send(opened)
    go.recv()
    arrivals = []
    pending = set(buffers)
    deadline = time.monotonic() + 60
    while pending and time.monotonic() < deadline:
        for key, _ in sel.select(timeout=1):
            sock = key.fileobj
            chunk = sock.recv(65536)
            now = time.monotonic()
            if not chunk:
                pending.discard(sock)
                sel.unregister(sock)
                continue
            buffers[sock] += chunk
            if sock in pending and b"event: forum_reply" in buffers[sock]:
                arrivals.append(now)
                pending.discard(sock)
                buffers[sock].clear()
    results.send((arrivals, len(pending)))
    # Hold the connections until the parent is done measuring.
    go.recv()
    for sock in buffers:
        sock.close()


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--streams", type=int, default=2000)
    parser.add_argument("--processes", type=int, default=4, help="client processes")
    parser.add_argument("--users", type=int, default=0, help="students (default: one per 100 streams, at least 3)")
    parser.add_argument("--port", type=int, default=18090)
    parser.add_argument("--url", help="a running gateway (then --pid, --topic, --poster, --tokens)")
    parser.add_argument("--pid", type=int)
    parser.add_argument("--topic", type=int)
    parser.add_argument("--poster", help="API token of who posts the reply")
    parser.add_argument("--tokens", help="file of API tokens, one per line")
    parser.add_argument("--settle", type=float, default=3.0, help="seconds idle before measuring memory")
    args = parser.parse_args()
    raise_fd_limit()

    proc = None
    if args.url:
        base, pid, topic, poster = args.url, args.pid, args.topic, args.poster
        with open(args.tokens) as f:
            tokens = [line.strip() for line in f if line.strip()]
    else:
        proc, base, env = start_gateway(args.port, args.streams)
        pid = proc.pid
        users = args.users or max(3, math.ceil(args.streams / 100))
        print(f"setting up a course with {users} students…", file=sys.stderr)
        topic, poster, tokens = set_up(base, env, users)
    backend = "PostgreSQL" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "SQLite"
    try:
        rss_before = rss_kb(pid) if pid else 0
        path = f"/api/topics/{topic}/stream"
        per_stream = [tokens[i % len(tokens)] for i in range(args.streams)]
        shares = [per_stream[i :: args.processes] for i in range(args.processes)]
        workers = []

        def start(group):
            for share in group:
                ready_r, ready_w = multiprocessing.Pipe(False)
                go_r, go_w = multiprocessing.Pipe(False)
                res_r, res_w = multiprocessing.Pipe(False)
                p = multiprocessing.Process(target=reader, args=(base, path, share, ready_w, go_r, res_w))
                p.start()
                workers.append((p, ready_r, go_w, res_r))
            return sum(w[1].recv() for w in workers[-len(group) :])

        # Half the streams, then the other half: the second half's growth
        # is the memory of a stream itself, without what the first opens
        # leave in the allocator's arenas (and the setup's leftovers).
        started = time.monotonic()
        half = max(1, args.processes // 2)
        opened_half = start(shares[:half])
        time.sleep(args.settle)
        rss_half = rss_kb(pid) if pid else 0
        opened = opened_half + start(shares[half:])
        open_seconds = time.monotonic() - started
        time.sleep(args.settle)
        rss_idle = rss_kb(pid) if pid else 0

        # The readers listen before the reply is posted: its event may
        # reach them before the POST's answer reaches us.
        for _, _, go, _ in workers:
            go.send(True)
        time.sleep(0.5)
        t0 = time.monotonic()
        request(base, "POST", f"/api/topics/{topic}/replies", {"content": "Hello, everyone"}, poster)
        posted = time.monotonic()
        arrivals, missing = [], 0
        for _, _, _, res in workers:
            got, lost = res.recv()
            arrivals += got
            missing += lost
        rss_after = rss_kb(pid) if pid else 0
        for _, _, go, _ in workers:
            go.send(True)
        for p, _, _, _ in workers:
            p.join()

        latencies = [(a - t0) * 1000 for a in arrivals]
        print(f"backend            {backend}")
        print(f"streams            {opened} open in {open_seconds:.1f} s, {len(arrivals)} received, {missing} missed")
        print(f"POST reply         {(posted - t0) * 1000:.0f} ms")
        if latencies:
            print(f"delivery p50       {statistics.median(latencies):.0f} ms (from the POST's start)")
            print(f"delivery p95       {percentile(latencies, 0.95):.0f} ms")
            print(f"delivery max       {max(latencies):.0f} ms")
        if pid:
            print(f"gateway RSS        {rss_before / 1024:.1f} MB before, {rss_idle / 1024:.1f} MB with the streams idle, {rss_after / 1024:.1f} MB after the reply")
            print(f"RSS per idle stream {(rss_idle - rss_before) / max(opened, 1):.1f} KB (all streams), {(rss_idle - rss_half) / max(opened - opened_half, 1):.1f} KB (second half)")
            print(f"MALLOC_ARENA_MAX   {os.environ.get('MALLOC_ARENA_MAX', 'unset')}")
    finally:
        if proc:
            proc.terminate()
            proc.wait(timeout=30)


if __name__ == "__main__":
    main()
