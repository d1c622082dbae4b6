#!/usr/bin/env python3
"""Timing parity of the enumeration-relevant endpoints (issue 18 item 5; SEC-13, SEC-14).

Not a test: not in CTest. Starts `signupdesk --headless` on loopback with a throw-away SQLite
database, the production password cost and rate limits off, makes the accounts it needs, then
for each endpoint sends interleaved pairs of requests (the order of each pair random) that
differ only in whether the address or name has an account, and reports per endpoint: samples,
median time of each side, the ratio known/unknown (goal 0.9-1.1) and the two-sided
Mann-Whitney U p-value (normal approximation with tie correction; p > 0.01: no difference
detected). Times are taken by the client on one keep-alive connection per side.

  tests/bench/bench_enum.py [--samples 200] [--bin build/app/signupdesk] [--only NAME ...]

Standard library only.
"""

import argparse
import http.client
import json
import math
import os
import random
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

PASSWORD = "correct battery staple horse"


def mann_whitney_p(a, b):
    """Two-sided p of the Mann-Whitney U test, normal approximation, ties corrected."""
    n1, n2 = len(a), len(b)
    values = sorted([(v, 0) for v in a] + [(v, 1) for v in b])
    ranks = [0.0] * len(values)
    ties = 0.0
    i = 0
    while i < len(values):
        j = i
        while j + 1 < len(values) and values[j + 1][0] == values[i][0]:
            j += 1
        rank = (i + j) / 2 + 1
        for k in range(i, j + 1):
            ranks[k] = rank
        t = j - i + 1
        ties += t ** 3 - t
        i = j + 1
    r1 = sum(r for r, (_, side) in zip(ranks, values) if side == 0)
    u1 = r1 - n1 * (n1 + 1) / 2
    mean = n1 * n2 / 2
    n = n1 + n2
    var = n1 * n2 / 12 * ((n + 1) - ties / (n * (n - 1)))
    if var <= 0:
        return 1.0
    z = (abs(u1 - mean) - 0.5) / math.sqrt(var)
    return max(0.0, min(1.0, math.erfc(max(z, 0) / math.sqrt(2))))


class Client:
    def __init__(self, host, port):
        self.host, self.port = host, port
        self.conn = http.client.HTTPConnection(host, port, timeout=30)

    def post(self, path, body):
        data = json.dumps(body).encode()
        start = time.perf_counter_ns()
        self.conn.request("POST", path, data, {"Content-Type": "application/json"})
        resp = self.conn.getresponse()
        payload = resp.read()
        elapsed = (time.perf_counter_ns() - start) / 1e6
        if resp.getheader("Connection", "").lower() == "close":
            self.conn.close()
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        return resp.status, payload, elapsed


def start_server(binary, work):
    config = os.path.join(work, "signupdesk.ini")
    with open(config, "w") as f:
        f.write(f"""[server]
listen=127.0.0.1
port=0
[database]
url=sqlite:{work}/data/signupdesk.db
[mail]
folder={work}/mail
[ratelimit]
enabled=false
[signup]
approval_required=false
return_confirm_token=true
""")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIGNUPDESK_")}
    out = open(os.path.join(work, "server.out"), "w+")
    err = open(os.path.join(work, "server.err"), "w")
    proc = subprocess.Popen([binary, "--config", config, "--headless"], stdout=out, stderr=err, env=env)
    for _ in range(150):
        out.seek(0)
        m = re.search(r"^listening on http://([^:/ ]+):(\d+)", out.read(), re.M)
        if m:
            return proc, m.group(1), int(m.group(2))
        if proc.poll() is not None:
            sys.exit("bench_enum.py: the server did not start:\n" + open(err.name).read())
        time.sleep(0.1)
    proc.terminate()
    sys.exit("bench_enum.py: no 'listening on' line after 15 s")


def print_header(what, n):
    print(f"SignupDesk {what} timing: {n} interleaved pairs per endpoint, "
          f"{os.cpu_count()} cores, load before {open('/proc/loadavg').read().split()[:3]}")
    print(f"{'endpoint':<20} {'n':>5} {'known ms':>9} {'unknown ms':>10} {'ratio':>6} {'MW p':>8}  statuses")


def measure(host, port, name, path, known_body, unknown_body, n):
    """Sends n pairs (known, unknown) in random order on one connection per side; prints a row."""
    known_client, unknown_client = Client(host, port), Client(host, port)
    # Warm-up: a few of each, not counted.
    for i in range(5):
        known_client.post(path, unknown_body(i))
        unknown_client.post(path, unknown_body(i))
    known, unknown, statuses = [], [], set()
    for i in range(n):
        pair = [("k", known_client, known_body(i)), ("u", unknown_client, unknown_body(i))]
        random.shuffle(pair)
        for side, client, body in pair:
            status, _, ms = client.post(path, body)
            statuses.add((side, status))
            (known if side == "k" else unknown).append(ms)
    mk, mu = statistics.median(known), statistics.median(unknown)
    p = mann_whitney_p(known, unknown)
    st = ",".join(f"{s}:{c}" for s, c in sorted(statuses))
    print(f"{name:<20} {n:>5} {mk:>9.3f} {mu:>10.3f} {mk / mu:>6.3f} {p:>8.3g}  {st}", flush=True)
    time.sleep(1)  # let work queued after the answers drain before the next endpoint


def run_benchmark(doc, what, make_runs):
    """The command line, the server, the rows: make_runs(setup_client, tag, n) makes the accounts
    it needs and returns {row name: (path, known body(i), unknown body(i))}."""
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--bin", default=os.path.join(here, "..", "..", "build", "app", "signupdesk"))
    parser.add_argument("--only", nargs="*", default=None)
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args()
    n = args.samples
    work = tempfile.mkdtemp(prefix=f"signupdesk-{what}.")
    proc, host, port = start_server(os.path.abspath(args.bin), work)
    try:
        runs = make_runs(Client(host, port), secrets.token_hex(3), n)
        print_header(what, n)
        for name, (path, known_body, unknown_body) in runs.items():
            if args.only and name not in args.only:
                continue
            measure(host, port, name, path, known_body, unknown_body, n)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        if args.keep:
            print(f"work folder kept: {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)


def make_runs(setup, tag, n):
    def signup(username, email):
        status, body, _ = setup.post("/api/v1/signup",
                                     {"username": username, "password": PASSWORD, "email": email})
        if status != 201:
            sys.exit(f"bench_enum.py: signup answered {status}: {body!r}")
        return json.loads(body)

    active = f"act{tag}@example.com"
    token = signup(f"act{tag}", active)["confirm_token"]
    status, _, _ = setup.post("/api/v1/signup/confirm", {"confirm_token": token})
    assert status == 200, status
    # Pending accounts for the wrong-code runs: at most 4 wrong codes each (5 burn the token).
    pending = [f"pen{tag}{i}@example.com" for i in range(n // 4 + 1)]
    for i, email in enumerate(pending):
        signup(f"pen{tag}{i}", email)

    counter = iter(range(10 ** 9))

    def fresh():
        return f"x{tag}{next(counter)}"

    def code_target(i):
        return pending[i // 4]

    runs = {
        "signup": ("/api/v1/signup",
                   lambda i: {"username": fresh(), "password": PASSWORD, "email": active},
                   lambda i: {"username": fresh(), "password": PASSWORD, "email": fresh() + "@example.com"}),
        "resend": ("/api/v1/verify-email/resend",
                   lambda i: {"email": pending[i % len(pending)]},
                   lambda i: {"email": fresh() + "@example.com"}),
        "email-link": ("/api/v1/login/email-link",
                       lambda i: {"email": active},
                       lambda i: {"email": fresh() + "@example.com"}),
        "verify wrong code": ("/api/v1/user/verify-email/",
                              lambda i: {"email": code_target(i), "code": f"{random.randrange(10 ** 6):06d}"},
                              lambda i: {"email": fresh() + "@example.com", "code": f"{random.randrange(10 ** 6):06d}"}),
        "verify wrong token": ("/api/v1/user/verify-email/",
                               lambda i: {"email": pending[i % len(pending)], "token": secrets.token_urlsafe(32)},
                               lambda i: {"email": fresh() + "@example.com", "token": secrets.token_urlsafe(32)}),
        "login": ("/api/v1/login",
                  lambda i: {"username": f"act{tag}", "password": "wrong " + fresh()},
                  lambda i: {"username": fresh(), "password": "wrong " + fresh()}),
    }
    return runs


def main():
    run_benchmark(__doc__, "enumeration", make_runs)


if __name__ == "__main__":
    main()
