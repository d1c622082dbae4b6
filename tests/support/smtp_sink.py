#!/usr/bin/python3
"""A real SMTP server on loopback for the tests (aiosmtpd 1.4, Debian 12's python3-aiosmtpd).

    /usr/bin/python3 smtp_sink.py --port 0 --dir DIR [--fail-code 550|421] [--auth-require]
                                  [--watch-stdin]

Binds 127.0.0.1 (port 0: a free one) and prints "SMTP_PORT=<n>" on stdout once it accepts
connections. Each accepted message is saved as DIR/msg-<n>.eml (the raw bytes, CRLF, after
dot-unstuffing), written to a temporary name and renamed; then one JSON line is appended to
DIR/envelope.json:
    {"file": "msg-1.eml" | null, "mail_from": ..., "rcpt_tos": [...], "auth_login": ... | null,
     "reply": "250 ..."}
With --fail-code the reply to the end of DATA is that code and no file is written (the line is
still logged, with "file": null). AUTH PLAIN and LOGIN are offered without TLS and accept any
credentials; --auth-require makes the server refuse mail (530) until the client authenticated.
Stops on SIGTERM or SIGINT, and with --watch-stdin also when stdin closes (so that it never
outlives a test that crashed).
"""

import argparse
import ssl
import asyncio
import json
import logging
import os
import signal
import sys
import warnings

from aiosmtpd.smtp import SMTP, AuthResult

REPLIES = {
    421: "421 4.3.2 Service not available, try again later (smtp_sink)",
    450: "450 4.2.0 Mailbox unavailable, try again later (smtp_sink)",
    550: "550 5.7.1 Message rejected (smtp_sink)",
    554: "554 5.6.0 Transaction failed (smtp_sink)",
}


class Sink:
    def __init__(self, folder, fail_code):
        self.folder = folder
        self.fail_code = fail_code
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        if self.fail_code:
            reply = REPLIES.get(self.fail_code, f"{self.fail_code} smtp_sink failure")
            self._log(None, session, envelope, reply)
            return reply
        self.count += 1
        name = f"msg-{self.count}.eml"
        temporary = os.path.join(self.folder, f".{name}.tmp")
        with open(temporary, "wb") as out:
            out.write(envelope.original_content)
        os.rename(temporary, os.path.join(self.folder, name))
        reply = "250 2.0.0 Ok: queued as " + name
        self._log(name, session, envelope, reply)
        return reply

    def _log(self, name, session, envelope, reply):
        login = None
        if session.authenticated and session.auth_data is not None:
            login = session.auth_data.login.decode("utf-8", "replace")
        entry = {
            "file": name,
            "mail_from": envelope.mail_from,
            "rcpt_tos": list(envelope.rcpt_tos),
            "auth_login": login,
            "reply": reply,
        }
        with open(os.path.join(self.folder, "envelope.json"), "a", encoding="utf-8") as log:
            log.write(json.dumps(entry) + "\n")


def accept_any(server, session, envelope, mechanism, auth_data):
    return AuthResult(success=True, auth_data=auth_data)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--fail-code", type=int, default=0)
    parser.add_argument("--auth-require", action="store_true")
    parser.add_argument("--watch-stdin", action="store_true")
    parser.add_argument("--tls-mode", choices=["none", "smtps", "starttls"], default="none",
                        help="smtps: TLS from the first byte; starttls: offer and require STARTTLS")
    parser.add_argument("--tls-cert")
    parser.add_argument("--tls-key")
    args = parser.parse_args()

    # Plain-text AUTH is the point here (loopback only): silence aiosmtpd's warnings about it.
    warnings.simplefilter("ignore")
    logging.getLogger("mail.log").setLevel(logging.CRITICAL)

    os.makedirs(args.dir, exist_ok=True)
    sink = Sink(args.dir, args.fail_code)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)

    context = None
    if args.tls_mode != "none":
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.tls_cert, args.tls_key)

    def factory():
        if args.tls_mode == "starttls":
            return SMTP(sink, hostname="smtp-sink.test", auth_required=args.auth_require,
                        auth_require_tls=True, authenticator=accept_any, loop=loop,
                        tls_context=context, require_starttls=True)
        return SMTP(sink, hostname="smtp-sink.test", auth_required=args.auth_require,
                    auth_require_tls=False, authenticator=accept_any, loop=loop)

    server = loop.run_until_complete(loop.create_server(
        factory, "127.0.0.1", args.port, ssl=context if args.tls_mode == "smtps" else None))
    port = server.sockets[0].getsockname()[1]

    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, loop.stop)

    def on_stdin():
        if not os.read(stdin, 4096):
            loop.remove_reader(stdin)
            loop.stop()

    if args.watch_stdin:
        # In the loop, not in a thread: a thread blocked on stdin aborts interpreter shutdown.
        stdin = sys.stdin.fileno()
        os.set_blocking(stdin, False)
        loop.add_reader(stdin, on_stdin)

    print(f"SMTP_PORT={port}", flush=True)
    try:
        loop.run_forever()
    finally:
        server.close()
        loop.run_until_complete(server.wait_closed())
        loop.close()


if __name__ == "__main__":
    main()
