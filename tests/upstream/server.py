"""A loopback HTTP server that plays an upstream from recorded files.

Routes map real upstream paths to handlers that answer from the recorded
corpus. Every request is logged; faults can be queued to make the server
misbehave on purpose: 429 with Retry-After, 500/503, a response slower than the
client's timeout, a truncated body, a connection reset, an exhausted
``X-RateLimit-Remaining``. A seeded *storm* (``Upstream.storm``) injects faults
of every transient kind at random into a given share of all requests.
"""

from __future__ import annotations

import random
import re
import socket
import struct
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[[re.Match[str], dict[str, str], dict[str, str]], Reply]


@dataclass
class Fault:
    kind: str  # 429 | 429-day | 500 | 503 | slow | truncate | badjson | reset | ratelimit0
    pattern: str = ""
    times: int = 1
    delay: float = 2.0


#: The seven transient faults of a storm.
STORM_KINDS = ("429", "500", "503", "slow", "reset", "truncate", "badjson")
#: The most storm faults one path meets in a row.
MAX_STREAK = 3


@dataclass
class Storm:
    """Seeded random faults: each request meets one with probability ``rate``.

    A transient fault clears: no path meets more than ``MAX_STREAK`` in a row, so a
    client that retries more often gets through however the draws fall (a busy
    machine's own timeouts shift them). The kinds come in a seeded shuffled rotation, so each is about an equal share of
    the faults; ``badjson`` (a whole 200 whose JSON does not parse) only falls on JSON
    answers, since a cut PDF that says it is whole cannot be told from a real one.
    """

    rng: random.Random
    rate: float
    kinds: tuple[str, ...]
    delay: float = 1.0
    injected: Counter[str] = field(default_factory=Counter)
    requests: int = 0
    _turn: list[str] = field(default_factory=list)
    #: Faults met in a row, by path.
    _streak: Counter[str] = field(default_factory=Counter)

    def draw(self, reply: Reply, path: str = "") -> Fault | None:
        self.requests += 1
        if self.rng.random() >= self.rate or self._streak[path] >= MAX_STREAK:
            self._streak[path] = 0
            return None
        self._streak[path] += 1
        eligible = [k for k in self.kinds if k != "badjson" or _is_json_200(reply)]
        if not self._turn:
            self._turn = self.rng.sample(self.kinds, len(self.kinds))
        kind = next((k for k in self._turn if k in eligible), None)
        if kind is None:  # only ``badjson`` is left in this turn, and this is no JSON
            kind = self.rng.choice(eligible)
        else:
            self._turn.remove(kind)
        self.injected[kind] += 1
        return Fault(kind, delay=self.delay)


def _is_json_200(reply: Reply) -> bool:
    return reply.status == 200 and "json" in reply.content_type


class Upstream:
    def __init__(self) -> None:
        self.routes: list[tuple[re.Pattern[str], Handler]] = []
        self.log: list[tuple[str, str]] = []
        #: Paths whose answer was sent in full.
        self.answered: list[str] = []
        #: Called with each request path before it is answered; True drops it unanswered.
        self.on_request: Callable[[str], bool] | None = None
        self.faults: list[Fault] = []
        self.lock = threading.Lock()
        self.server: ThreadingHTTPServer | None = None
        self._storm: Storm | None = None

    def storm(self, seed: int, rate: float, kinds: tuple[str, ...] = STORM_KINDS) -> Storm:
        """From now on, about ``rate`` of all requests meet a fault, the kinds in turn."""
        self._storm = Storm(random.Random(seed), rate, kinds)
        return self._storm

    def storm_fault(self, reply: Reply, path: str) -> Fault | None:
        with self.lock:
            return self._storm.draw(reply, path) if self._storm is not None else None

    def route(self, pattern: str, handler: Handler) -> None:
        self.routes.append((re.compile(pattern), handler))

    def fault(self, kind: str, pattern: str = "", times: int = 1, delay: float = 2.0) -> None:
        with self.lock:
            self.faults.append(Fault(kind, pattern, times, delay))

    def take_fault(self, target: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.times > 0 and re.search(fault.pattern, target):
                    fault.times -= 1
                    return fault
        return None

    def paths(self, pattern: str = "") -> list[str]:
        with self.lock:
            return [p for p, _ in self.log if re.search(pattern, p)]

    @property
    def base(self) -> str:
        assert self.server is not None
        host, port = self.server.server_address[:2]
        name = host.decode() if isinstance(host, bytes) else host
        return f"http://{name}:{port}"

    def start(self) -> Upstream:
        upstream = self

        class RequestHandler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def log_message(self, format: str, *args: object) -> None:
                return

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
                with upstream.lock:
                    upstream.log.append((parts.path, parts.query))
                if upstream.on_request is not None and upstream.on_request(parts.path):
                    self.close_connection = True
                    return
                reply = Reply(404, b'{"errors":[{"status":"404","title":"Not Found"}]}')
                for pattern, handler in upstream.routes:
                    match = pattern.fullmatch(parts.path)
                    if match:
                        reply = handler(match, query, dict(self.headers))
                        break
                fault = upstream.take_fault(self.path) or upstream.storm_fault(reply, self.path)
                if fault is not None and self.misbehave(fault):
                    return
                if fault is not None and fault.kind == "ratelimit0":
                    reply.headers["X-RateLimit-Remaining"] = "0"
                if fault is not None and fault.kind == "truncate":
                    # The real answer, cut off halfway, with its full length declared.
                    self.send(
                        Reply(
                            reply.status,
                            reply.body[: len(reply.body) // 2],
                            reply.content_type,
                            reply.headers,
                        ),
                        declared=len(reply.body),
                    )
                    self.close_connection = True
                    return
                if fault is not None and fault.kind == "badjson" and reply.status == 200:
                    # The real answer cut off halfway, declared at that length: a whole
                    # HTTP response whose JSON does not parse.
                    cut = reply.body[: len(reply.body) // 2]
                    self.send(Reply(200, cut, reply.content_type, reply.headers))
                    return
                # Recorded before the reply goes out: a client that has its answer may
                # look at ``answered`` at once.
                with upstream.lock:
                    upstream.answered.append(parts.path)
                self.send(reply)

            def send(self, reply: Reply, declared: int | None = None) -> None:
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.content_type)
                self.send_header("Content-Length", str(declared or len(reply.body)))
                for key, value in reply.headers.items():
                    self.send_header(key, value)
                self.end_headers()
                try:
                    self.wfile.write(reply.body)
                except (BrokenPipeError, ConnectionResetError):
                    # The client gave up waiting (a stall past its timeout).
                    self.close_connection = True

            def misbehave(self, fault: Fault) -> bool:
                if fault.kind in ("429", "429-day"):
                    wait = "1" if fault.kind == "429" else "86400"
                    self.send(
                        Reply(429, b'{"error":"OVER_RATE_LIMIT"}', headers={"Retry-After": wait})
                    )
                    return True
                if fault.kind in ("500", "503"):
                    self.send(
                        Reply(
                            int(fault.kind), b'{"errors":[{"status":"%s"}]}' % fault.kind.encode()
                        )
                    )
                    return True
                if fault.kind == "slow":
                    time.sleep(fault.delay)
                    return False
                if fault.kind == "reset":
                    self.connection.setsockopt(
                        socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                    )
                    self.connection.close()
                    self.close_connection = True
                    return True
                return False

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), RequestHandler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
