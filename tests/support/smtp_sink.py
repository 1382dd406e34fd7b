"""A real SMTP server for the tests (aiosmtpd): listens on a free loopback port, prints
the port on its first line, and appends each message it accepts to the JSONL file named
by its argument as {"from", "to", "subject", "text", "raw"}. Exits when its standard
input closes (the test process went away)."""
import asyncio
import email
import email.policy
import json
import os
import sys
import threading

from aiosmtpd.smtp import SMTP


class Sink:
    def __init__(self, path):
        self.path = path

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        body = msg.get_body(preferencelist=("plain",))
        record = {
            "from": envelope.mail_from,
            "to": list(envelope.rcpt_tos),
            "subject": str(msg.get("subject", "")),
            "text": body.get_content() if body is not None else "",
            "raw": raw.decode("utf-8", "replace"),
        }
        with open(self.path, "a", encoding="utf-8") as f:
            f.write(json.dumps(record) + "\n")
        return "250 OK"


def watch_stdin():
    sys.stdin.read()
    os._exit(0)


async def main():
    sink = Sink(sys.argv[1])
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(sink, hostname="localhost"), "127.0.0.1", 0
    )
    print(server.sockets[0].getsockname()[1], flush=True)
    threading.Thread(target=watch_stdin, daemon=True).start()
    await server.serve_forever()


asyncio.run(main())
