#!/usr/bin/env python3
"""Seeding helper of bench_datascale.sh and bench_writes.sh (standard library only).

Prints one SQL script (SQLite or PostgreSQL) that fills a migrated SignupDesk database, in ONE
transaction, with accounts that look like real ones, and writes the raw secrets the benchmark
needs beside it:

  * --accounts N active, verified accounts, made by the database itself (a recursive CTE on
    SQLite, generate_series on PostgreSQL): the same columns as core's accountstore writes,
    unique usernames and addresses (user<i>, user<i>@example.org, keys lower-case as
    usernameKey()/emailKey() make them), one real argon2id hash shared by all (--password-hash,
    taken from an account the program itself made), a sign-up time spread over a year;
    per account the verification token it used (used_at set), one live session, and its
    verification email as the outbox sender leaves it (sent, bodies redacted). The audit log is
    not seeded (see tests/bench/README.md).
  * the first min(N, --sessions) accounts get a session whose raw token is known: written to
    DIR/sessions.txt, one per line, for GET /api/v1/user/me;
  * --pending M more accounts waiting for their email to be verified, each with one live
    verification token whose raw value is known: DIR/verify.txt, "email token" per line, each to
    be used once by POST /api/v1/user/verify-email/.

Only the HMAC of a token is stored, keyed by the server secret exactly as core's TokenDigest
does (HMAC-SHA256(secret, "token:" + token), hex), so the config must set security/secret to
--secret.

  seed_accounts.py --dialect sqlite|postgresql --accounts N --pending M \
      --password-hash '$argon2id$...' --secret HEX --out DIR > seed.sql
"""
import argparse
import base64
import hashlib
import hmac
import os
import secrets
import sys

YEAR_MS = 365 * 24 * 3600 * 1000
DAY_MS = 24 * 3600 * 1000


def token() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode()


def new_id(prefix: str) -> str:
    return prefix + base64.urlsafe_b64encode(secrets.token_bytes(16)).rstrip(b"=").decode()


def q(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--dialect", choices=["sqlite", "postgresql"], required=True)
    p.add_argument("--accounts", type=int, required=True)
    p.add_argument("--pending", type=int, default=0)
    p.add_argument("--sessions", type=int, default=1000)
    p.add_argument("--password-hash", required=True)
    p.add_argument("--secret", required=True)
    p.add_argument("--now-ms", type=int, required=True)
    p.add_argument("--out", required=True)
    a = p.parse_args()
    if not a.password_hash.startswith("$argon2id$"):
        print("seed_accounts.py: --password-hash is not an argon2id PHC string", file=sys.stderr)
        return 2
    key = a.secret.encode()

    def digest(t: str) -> str:
        return hmac.new(key, b"token:" + t.encode(), hashlib.sha256).hexdigest()

    n, now = a.accounts, a.now_ms
    t0 = now - YEAR_MS  # sign-ups spread over the last year, in order
    step = max(1, YEAR_MS // max(n, 1))
    session_ttl = 30 * DAY_MS
    pg = a.dialect == "postgresql"
    out = []
    w = out.append
    if not pg:
        # The bulk insert goes through a rollback journal (not the WAL, which would grow by the
        # whole database before a checkpoint copies it again); the server turns WAL back on.
        w("PRAGMA journal_mode=DELETE;")
        w("PRAGMA cache_size=-262144;")  # 256 MiB of page cache for the bulk insert
    w("BEGIN;")
    # The series 1..N, in each dialect.
    if pg:
        series = f"FROM generate_series(1::bigint, {n}) AS s(i)"
        pre = ""
        rnd_hex = "encode(sha256(('{salt}' || s.i)::bytea), 'hex')"
        pad = "lpad(s.i::text, 7, '0')"
    else:
        pre = f"WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {n}) "
        series = "FROM s"
        rnd_hex = "lower(hex(randomblob(32)))"
        pad = "printf('%07d', s.i)"
    uid = f"'usr_seed' || {pad}"
    signup_at = f"({t0} + s.i * {step})"
    hash_lit = q(a.password_hash)
    # Accounts: as accountstore::insert writes them, then verified and activated.
    w(pre + "INSERT INTO users (id, username, username_key, email, email_key, display_name,"
      " password_hash, status, verified_email, is_superuser, apps, groups_list, language,"
      " sign_up_time, remote_ip, remote_addr, tos_accepted_version, approved_at, approved_by,"
      " mfa_enabled)"
      f" SELECT {uid}, 'user' || s.i, 'user' || s.i, 'user' || s.i || '@example.org',"
      f" 'user' || s.i || '@example.org', 'User ' || s.i, {hash_lit}, 'active', 1, 0, 'default', 'users',"
      f" 'en', {signup_at}, '198.51.100.' || (s.i % 250 + 1), '', '', NULL, NULL, 0 {series};")
    w(pre + "INSERT INTO user_last_login (user_id, at)"
      f" SELECT {uid}, {signup_at} + 600000 {series};")
    # The verification token each account used (only digests stored; no one knows the tokens).
    w(pre + "INSERT INTO tokens (id, user_id, kind, token_hash, code_hash, code_attempts,"
      " created_at, expires_at, used_at, ip, user_agent)"
      f" SELECT 'tok_seed' || {pad}, {uid}, 'verification', {rnd_hex.format(salt='v')},"
      f" {rnd_hex.format(salt='c')}, 0, {signup_at}, {signup_at} + {2 * DAY_MS},"
      f" {signup_at} + 300000, '', '' {series};")
    # One live session per account; the first K get a session whose raw token is known.
    k = min(n, a.sessions)
    w(pre + "INSERT INTO tokens (id, user_id, kind, token_hash, created_at, expires_at,"
      " last_used_at, ip, user_agent)"
      f" SELECT 'ses_seed' || {pad}, {uid}, 'session', {rnd_hex.format(salt='s')},"
      f" {now - DAY_MS}, {now - DAY_MS + session_ttl}, {now - 600000}, '198.51.100.7',"
      f" 'Mozilla/5.0 (X11; Linux x86_64) seed' {series} WHERE s.i > {k};")
    sessions = []
    rows = []
    for i in range(1, k + 1):
        t = token()
        sessions.append(t)
        rows.append(f"('ses_seed{i:07d}', 'usr_seed{i:07d}', 'session', '{digest(t)}', {now - DAY_MS},"
                    f" {now - DAY_MS + session_ttl}, {now - 600000}, '198.51.100.7', 'bench')")
    for c in range(0, len(rows), 500):
        w("INSERT INTO tokens (id, user_id, kind, token_hash, created_at, expires_at, last_used_at,"
          " ip, user_agent) VALUES " + ", ".join(rows[c:c + 500]) + ";")
    # The verification email of each account as the sender leaves it: sent, bodies redacted.
    w(pre + "INSERT INTO outbox (id, message_id, user_id, kind, sender, recipient, subject,"
      " body_text, body_html, status, attempts, last_error, server_reply, created_at,"
      " next_attempt_at, lease_until, lease_owner, sent_at, body_preview, seq)"
      f" SELECT 'msg_seed' || {pad}, '<seed' || s.i || '@signupdesk.example>', {uid},"
      " 'verification', 'SignupDesk <noreply@example.org>', 'user' || s.i || '@example.org',"
      " 'Confirm your email address', '[redacted after sending]', '[redacted after sending]',"
      f" 'sent', 1, '', '250 2.0.0 Ok: queued as seed' || s.i, {signup_at}, {signup_at}, NULL,"
      f" NULL, {signup_at} + 2000, 'Hello user' || s.i || ', confirm with ••••••', s.i {series};")
    # Accounts waiting for verification, each with a live token whose raw value is known.
    verify = []
    urows, trows = [], []
    for j in range(1, a.pending + 1):
        t = token()
        user, tok = new_id("usr_"), new_id("tok_")
        name = f"pending{j}"
        email = f"{name}@example.net"
        verify.append(f"{email} {t}")
        at = now - 60000
        urows.append(f"({q(user)}, '{name}', '{name}', '{email}', '{email}', '', {hash_lit},"
                     f" 'pending_verification', 0, 0, 'default', '', 'en', {at}, '203.0.113.9', '', '')")
        trows.append(f"({q(tok)}, {q(user)}, 'verification', '{digest(t)}',"
                     f" '{hmac.new(key, tok.encode(), hashlib.sha256).hexdigest()}', 0, {at},"
                     f" {now + 2 * DAY_MS}, '', '')")
    for c in range(0, len(urows), 500):
        w("INSERT INTO users (id, username, username_key, email, email_key, display_name,"
          " password_hash, status, verified_email, is_superuser, apps, groups_list, language,"
          " sign_up_time, remote_ip, remote_addr, tos_accepted_version) VALUES "
          + ", ".join(urows[c:c + 500]) + ";")
        w("INSERT INTO user_last_login (user_id, at) VALUES "
          + ", ".join(f"({r[1:r.index(',')]}, 0)" for r in urows[c:c + 500]) + ";")
        w("INSERT INTO tokens (id, user_id, kind, token_hash, code_hash, code_attempts, created_at,"
          " expires_at, ip, user_agent) VALUES " + ", ".join(trows[c:c + 500]) + ";")
    w("COMMIT;")
    w("ANALYZE users; ANALYZE user_last_login; ANALYZE tokens; ANALYZE outbox;" if pg else "")
    sys.stdout.write("\n".join(out) + "\n")
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "sessions.txt"), "w") as f:
        f.write("\n".join(sessions) + ("\n" if sessions else ""))
    with open(os.path.join(a.out, "verify.txt"), "w") as f:
        f.write("\n".join(verify) + ("\n" if verify else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
