#!/usr/bin/env python3
"""Soak test of `ordex serve` (outside CI): mixed load for a while, a kill -9
and restart half-way, then the crash test's database invariants, memory and
file descriptors.

    python3 tests/soak/soak.py --binary target/release/ordex --minutes 30 [--output docs/soak.md]

Load, all on 127.0.0.1 and bounded by the duration: two intake threads (single
events and NDJSON batches of 20, with replays), signed Stripe webhooks, queue
and metrics queries, a slow client that stalls mid-body, and a bundle switch
and rollback. Standard library only.
"""

import argparse
import hashlib
import hmac
import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

KEY = "soak-key"
STRIPE = "whsec_soak"
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
KINDS = ["payment_declined", "carrier_exception", "return_requested", "address_invalid",
         "inventory_shortage", "cancellation_requested", "customer_message"]


def example(kind, event_id, order):
    with open(os.path.join(ROOT, "rules", "examples", f"{kind}.json")) as f:
        event = json.load(f)
    event["id"] = event_id
    event["order"]["id"] = order
    return event


class Server:
    def __init__(self, binary, database):
        self.binary, self.database = binary, database
        self.start()

    def start(self):
        self.proc = subprocess.Popen(
            [self.binary, "serve", os.path.join(ROOT, "rules"), "--addr", "127.0.0.1:0",
             "--database", self.database, "--api-key", KEY, "--stripe-secret", STRIPE,
             "--header-timeout-ms", "2000", "--body-timeout-ms", "3000", "--webhook-rate", "500"],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env={**os.environ, "ORDEX_LOG": "error"})
        deadline = time.time() + 180
        while time.time() < deadline:
            line = self.proc.stdout.readline().decode()
            if "listening on" in line:
                self.base = line.strip().split("listening on ")[1]
                threading.Thread(target=lambda: [None for _ in self.proc.stdout], daemon=True).start()
                return
        raise SystemExit("ordex serve did not start")

    def rss_kib(self):
        with open(f"/proc/{self.proc.pid}/status") as f:
            return next(int(l.split()[1]) for l in f if l.startswith("VmRSS:"))

    def fds(self):
        return len(os.listdir(f"/proc/{self.proc.pid}/fd"))


def call(base, method, path, body=None, ctype="application/json", headers=None, auth=True):
    req = urllib.request.Request(base + path, method=method, data=body.encode() if body is not None else None)
    if body is not None:
        req.add_header("content-type", ctype)
    if auth:
        req.add_header("authorization", f"Bearer {KEY}")
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            raw = r.read()
            try:
                return r.status, json.loads(raw or b"null")
            except ValueError:
                return r.status, None  # /metrics is text
    except urllib.error.HTTPError as e:
        return e.code, None
    except (urllib.error.URLError, ConnectionError, socket.timeout, OSError):
        return 0, None


class Soak:
    def __init__(self, server, seconds):
        self.server, self.until = server, time.time() + seconds
        self.acked, self.lock, self.counts = set(), threading.Lock(), {}

    def running(self):
        return time.time() < self.until

    def count(self, what, status):
        with self.lock:
            key = f"{what} {status}"
            self.counts[key] = self.counts.get(key, 0) + 1

    def intake(self, worker):
        rng, n = random.Random(worker), 0
        while self.running():
            n += 1
            if n % 10 == 0:
                events = [example(rng.choice(KINDS), f"w{worker}-b{n}-{i}", f"ord-{rng.randrange(400)}") for i in range(20)]
                status, answer = call(self.server.base, "POST", "/v1/events",
                                      "\n".join(json.dumps(e) for e in events), "application/x-ndjson")
            else:
                events = [example(rng.choice(KINDS), f"w{worker}-{n}", f"ord-{rng.randrange(400)}")]
                if events[0]["exception"]["kind"] == "payment_declined":
                    events[0]["exception"]["payment"]["id"] = f"pay-{worker}-{n}"
                status, answer = call(self.server.base, "POST", "/v1/events", json.dumps(events[0]))
            self.count("intake", status)
            if status in (200, 201):
                with self.lock:
                    self.acked.update(e["id"] for e in events)
                # Replays of acknowledged events change nothing.
                if n % 7 == 0:
                    call(self.server.base, "POST", "/v1/events", json.dumps(events[0]))

    def webhooks(self):
        n = 0
        while self.running():
            n += 1
            body = json.dumps({
                "id": f"evt_soak_{n}", "object": "event", "type": "payment_intent.payment_failed",
                "created": int(time.time()),
                "data": {"object": {"id": f"pi_{n}", "object": "payment_intent", "amount": 12900, "currency": "usd",
                                    "customer": "cus_S1", "metadata": {"order_id": f"ord-wh-{n % 50}"},
                                    "last_payment_error": {"type": "card_error", "code": "card_declined",
                                                           "decline_code": "insufficient_funds", "charge": f"ch_{n}",
                                                           "payment_method": {"id": "pm_1", "card": {"brand": "visa", "country": "US"}}}}}})
            t = str(int(time.time()))
            sig = hmac.new(STRIPE.encode(), f"{t}.{body}".encode(), hashlib.sha256).hexdigest()
            status, _ = call(self.server.base, "POST", "/v1/webhooks/stripe", body,
                             headers={"stripe-signature": f"t={t},v1={sig}"}, auth=False)
            self.count("webhook", status)
            if status in (200, 201):
                with self.lock:
                    self.acked.add(f"stripe:evt_soak_{n}")
            time.sleep(0.05)

    def queries(self):
        while self.running():
            self.count("query", call(self.server.base, "GET", "/v1/cases?limit=50")[0])
            self.count("metrics", call(self.server.base, "GET", "/metrics", auth=False)[0])
            time.sleep(0.2)

    def slow_client(self):
        while self.running():
            try:
                host, port = self.server.base.replace("http://", "").split(":")
                s = socket.create_connection((host, int(port)), timeout=10)
                s.sendall(f"POST /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {KEY}\r\n"
                          "Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{".encode())
                s.recv(4096)  # the server answers 408 and closes
                s.close()
                self.count("slow_client", "cut")
            except OSError:
                self.count("slow_client", "error")
            time.sleep(1)


def check_database(path, acked):
    db = sqlite3.connect(path)
    problems = []
    stored = dict(db.execute("SELECT id, COUNT(*) FROM events GROUP BY id").fetchall())
    missing = [i for i in acked if i not in stored]
    if missing:
        problems.append(f"{len(missing)} acknowledged events missing, e.g. {missing[:3]}")
    if any(c != 1 for c in stored.values()):
        problems.append("an event id is stored twice")
    no_decision = db.execute("SELECT COUNT(*) FROM events e LEFT JOIN decisions d ON d.event_seq = e.seq WHERE d.event_seq IS NULL").fetchone()[0]
    if no_decision:
        problems.append(f"{no_decision} events without a decision")
    bad_counts = db.execute("SELECT COUNT(*) FROM cases c WHERE event_count <> (SELECT COUNT(*) FROM events e WHERE e.case_id = c.id)").fetchone()[0]
    if bad_counts:
        problems.append(f"{bad_counts} cases whose event_count is wrong")
    two_open = db.execute("SELECT COUNT(*) FROM (SELECT order_id FROM cases WHERE status = 'open' GROUP BY order_id HAVING COUNT(*) > 1)").fetchone()[0]
    if two_open:
        problems.append(f"{two_open} orders with two open cases")
    dup_keys = db.execute("SELECT COUNT(*) FROM (SELECT idempotency_key FROM actions GROUP BY idempotency_key HAVING COUNT(*) > 1)").fetchone()[0]
    if dup_keys:
        problems.append(f"{dup_keys} action keys stored twice")
    events = db.execute("SELECT COUNT(*) FROM events").fetchone()[0]
    return events, problems


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--binary", default=os.path.join(ROOT, "target", "release", "ordex"))
    p.add_argument("--minutes", type=float, default=30)
    p.add_argument("--output")
    a = p.parse_args()
    work = tempfile.mkdtemp(prefix="ordex-soak-")
    database = os.path.join(work, "ordex.db")
    server = Server(a.binary, database)
    total = a.minutes * 60
    soak = Soak(server, total)
    threads = [threading.Thread(target=f, daemon=True) for f in
               (lambda: soak.intake(1), lambda: soak.intake(2), soak.webhooks, soak.queries, soak.slow_client)]
    started = time.time()
    for t in threads:
        t.start()

    def progress(label):
        print(f"[{time.time() - started:7.0f} s] {label}: RSS {server.rss_kib() // 1024} MiB, {server.fds()} fds, "
              f"{len(soak.acked)} events acknowledged", flush=True)

    # First half: the bundle switch and rollback, then kill -9.
    time.sleep(total * 0.2)
    with open(os.path.join(ROOT, "rules", "ordex.toml")) as f:
        manifest = f.read()
    out = subprocess.run([a.binary, "bundle", os.path.join(ROOT, "rules"), "-o", os.path.join(work, "b.json")],
                         capture_output=True)
    if out.returncode == 0:
        original = call(server.base, "GET", "/v1/bundles/active")[1]["id"]
        with open(os.path.join(work, "b.json")) as f:
            bundle = json.load(f)
        status, answer = call(server.base, "POST", "/v1/bundles", json.dumps(bundle))
        soak.count("bundle_upload", status)
        status, _ = call(server.base, "POST", f"/v1/bundles/{original}/activate")
        soak.count("bundle_rollback", status)
    progress("bundle switched and rolled back")
    time.sleep(total * 0.3)
    progress("before kill -9")
    server.proc.send_signal(signal.SIGKILL)
    server.proc.wait()
    server.start()
    progress("restarted")
    # Second half: warm up, then the baseline for memory and descriptors.
    time.sleep(total * 0.1)
    warm_rss, warm_fds = server.rss_kib(), server.fds()
    progress("warmed up after restart")
    while soak.running():
        time.sleep(min(60, max(0.1, soak.until - time.time())))
        progress("running")
    for t in threads:
        t.join(timeout=40)
    end_rss, end_fds = server.rss_kib(), server.fds()
    server.proc.send_signal(signal.SIGTERM)
    server.proc.wait(timeout=60)
    events, problems = check_database(database, soak.acked)
    growth = (end_rss - warm_rss) / warm_rss * 100
    lines = [
        f"Soak: {a.minutes:g} minutes of mixed load on 127.0.0.1, kill -9 and restart half-way (`python3 tests/soak/soak.py --minutes {a.minutes:g}`).",
        "",
        "| measure | value |", "|---|---|",
        f"| events acknowledged (API and webhooks) | {len(soak.acked)} |",
        f"| events stored | {events} |",
        f"| database invariants | {'all hold' if not problems else '; '.join(problems)} |",
        f"| RSS after warm-up → at the end | {warm_rss // 1024} MiB → {end_rss // 1024} MiB ({growth:+.1f}%) |",
        f"| open file descriptors after warm-up → at the end | {warm_fds} → {end_fds} |",
        "",
        "| request | status | count |", "|---|---|---|",
    ] + [f"| {k.split(' ')[0]} | {k.split(' ')[1]} | {v} |" for k, v in sorted(soak.counts.items())]
    report = "\n".join(lines) + "\n"
    print(report)
    if a.output:
        with open(a.output, "w") as f:
            f.write(report)
    ok = not problems and growth <= 20 and end_fds <= warm_fds + 8
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
