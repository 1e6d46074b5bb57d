"""A recording mail server for bench/faults.py: aiosmtpd on loopback.

    python bench/faults_smtp.py PORT FILE

Every message received is appended to FILE as one JSON line (recipients, subject); the
process runs until SIGTERM/SIGINT. faults.py stops and starts it to play a mail-server
outage.
"""

from __future__ import annotations

import email
import email.policy
import json
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller


class Recorder:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        line = json.dumps(
            {
                "at": time.time(),
                "to": list(envelope.rcpt_tos),
                "subject": str(message.get("Subject", "")),
            },
            ensure_ascii=False,
        )
        with self.lock, self.path.open("a", encoding="utf-8") as out:
            out.write(line + "\n")
        return "250 OK"


def main() -> None:
    port, path = int(sys.argv[1]), Path(sys.argv[2])
    controller = Controller(Recorder(path), hostname="127.0.0.1", port=port)
    controller.start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    print(f"smtp listening on 127.0.0.1:{port}", flush=True)
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
