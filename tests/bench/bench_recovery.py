#!/usr/bin/env python3
"""Timing parity of password recovery (issue 13; SEC-42), like bench_enum.py.

Not a test: not in CTest. Starts `signupdesk --headless` on loopback with a throw-away SQLite
database, the production password cost and rate limits off (bench_enum.start_server), makes
active accounts (each with a live reset token for the wrong-code row, at most 4 wrong codes
each so no token burns), then for each row sends interleaved pairs of requests (the order of
each pair random) that differ only in whether the address has an account, and reports the
medians, the ratio known/unknown (goal 0.9-1.1) and the two-sided Mann-Whitney U p-value.

  tests/bench/bench_recovery.py [--samples 200] [--bin build/app/signupdesk] [--only NAME ...]

Rows:
  forgot              POST /api/v1/password/forgot: an active account's address / a new one
  reset wrong code    POST /api/v1/password/reset {email, code}: an account with a live reset
                      token and a wrong code / an unknown address

Standard library only.
"""

import json
import os
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_enum import PASSWORD, run_benchmark  # noqa: E402


def make_runs(setup, tag, n):
    def active_account(name):
        email = f"{name}@example.com"
        status, body, _ = setup.post("/api/v1/signup",
                                     {"username": name, "password": PASSWORD, "email": email})
        if status != 201:
            sys.exit(f"bench_recovery.py: signup answered {status}: {body!r}")
        token = json.loads(body)["confirm_token"]
        status, _, _ = setup.post("/api/v1/signup/confirm", {"confirm_token": token})
        assert status == 200, status
        return email

    active = active_account(f"act{tag}")
    # Accounts with a live reset token: at most 4 wrong codes each (5 burn it).
    with_reset = [active_account(f"rst{tag}{i}") for i in range(n // 4 + 2)]
    for email in with_reset:
        status, _, _ = setup.post("/api/v1/password/forgot", {"email": email})
        assert status == 202, status
    time.sleep(1)  # the reset mails are made after the answers

    counter = iter(range(10 ** 9))

    def fresh():
        return f"x{tag}{next(counter)}@example.com"

    def wrong_code():
        return f"{random.randrange(10 ** 6):06d}"

    new_password = PASSWORD + " new"
    return {
        "forgot": ("/api/v1/password/forgot",
                   lambda i: {"email": active},
                   lambda i: {"email": fresh()}),
        "reset wrong code": ("/api/v1/password/reset",
                             lambda i: {"email": with_reset[i // 4], "code": wrong_code(),
                                        "new_password": new_password},
                             lambda i: {"email": fresh(), "code": wrong_code(),
                                        "new_password": new_password}),
    }


if __name__ == "__main__":
    run_benchmark(__doc__, "recovery", make_runs)
