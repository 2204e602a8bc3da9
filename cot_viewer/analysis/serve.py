"""The live analysis in a child process: ``python -m cot_viewer.analysis.serve``.

The TUI streams reasoning text at up to ~100,000 characters a second; analysing it costs
~0.2 s of CPU per 60,000 tokens, which in the UI process would add ~35% to a full-speed
stream.  So the TUI runs an :class:`IncrementalAnalyzer` here, on another core, and talks to
it over pipes (``cot_viewer/tui/analysis_proxy.py``).  Stdlib only.

Protocol: newline-delimited JSON, one object per line.  Commands on stdin:

``{"op":"reset","session":k,"prompt":…}`` (the problem text, optional)
    Start a new text (a new turn or replay); every reply carries the session.
``{"op":"feed","text":…}``
    Append text.  Feeds are batched: all input already available is read before answering.
``{"op":"close","answer":…,"char_times":[[n,t],…]}``
    End of the stream; ``char_times`` may instead be ``"char_times_b64":[ns,ts]`` — base64 of
    native ``array('q')`` / ``array('d')`` bytes (exact, and ~30× cheaper to encode than a
    JSON list of 60,000 pairs) — or ``"timeline_b64":[t,kinds,lengths,typecode]``, the
    transcript's timeline columns as they are (nothing to compute in the UI process).  Reply: ``{"op":"snapshot","session":k,"analysis":
    Analysis.to_dict()}`` (equal to ``analyze(text, answer, char_times)``).
``{"op":"poll"}``
    Send a steps update now even if nothing changed.

Replies on stdout besides the snapshot, after each batch that fed text:

``{"op":"steps","session":k,"version":v,"from":f,"frozen":n,"steps":[[index,start,end,paragraph,label,phase],…]}``
    The steps from index ``f`` (the ``frozen`` of the previous update) on: the client
    replaces its steps from ``f`` with these (steps before ``frozen`` can no longer change;
    later ones belong to the open paragraph and are provisional).
``{"op":"phases","session":k,"version":v,"frozen":n,"phases":[…],"metrics":{…}}``
    Provisional phases and metrics (``snapshot()``), when paragraphs have closed, at most
    once per ``max(PHASES_INTERVAL, 20 × its own cost)``.
``{"op":"error","message":…}``
    A command could not be handled (the client falls back to analysing in-process).

The process ends at end of input.
"""

from __future__ import annotations

import base64
import json
import os
import select
import sys
import time
from array import array

PHASES_INTERVAL = 1.0  # s between provisional phase/metrics updates, at least
SNAPSHOT_COST_SHARE = 20  # ... and at most once per 20× the snapshot's own cost


def decode_char_times(cmd: dict) -> list[tuple[int, float]] | None:
    tl = cmd.get("timeline_b64")
    if tl:
        from cot_viewer.transcript import char_times

        t, lengths = array("d"), array(tl[3])
        t.frombytes(base64.b64decode(tl[0]))
        lengths.frombytes(base64.b64decode(tl[2]))
        return char_times(t, base64.b64decode(tl[1]), lengths) or None
    b64 = cmd.get("char_times_b64")
    if b64:
        ns, ts = array("q"), array("d")
        ns.frombytes(base64.b64decode(b64[0]))
        ts.frombytes(base64.b64decode(b64[1]))
        return list(zip(ns, ts))
    ct = cmd.get("char_times")
    return [(int(n), float(t)) for n, t in ct] if ct else None


def encode_char_times(char_times) -> list[str]:
    """``char_times`` as the two base64 strings of ``char_times_b64``."""
    ns = array("q", [n for n, _ in char_times])
    ts = array("d", [t for _, t in char_times])
    return [base64.b64encode(ns.tobytes()).decode("ascii"), base64.b64encode(ts.tobytes()).decode("ascii")]


def encode_timeline(timeline) -> list[str]:
    """A transcript's ``Timeline`` as ``timeline_b64``: its three columns as base64 of their
    native bytes, and the typecode of the lengths (parent and child are the same Python)."""
    b64 = base64.b64encode
    return [b64(timeline.t.tobytes()).decode("ascii"), b64(bytes(timeline.kinds)).decode("ascii"),
            b64(timeline.lengths.tobytes()).decode("ascii"), timeline.lengths.typecode]


class Server:
    def __init__(self, out, fd: int | None = None) -> None:
        from cot_viewer.analysis import IncrementalAnalyzer

        self.fd = fd  # our input, to look whether more commands are waiting

        self._cls = IncrementalAnalyzer
        self.out = out
        self.session = 0
        self.reset(0)

    def reset(self, session: int, prompt: str | None = None) -> None:
        self.session = session
        self.an = self._cls(prompt=prompt)
        self.sent_frozen = 0
        self.sent_version = -1
        self.snap_frozen = 0
        self.next_snap = 0.0

    def send(self, obj: dict) -> None:
        obj["session"] = self.session
        self.out.write(json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n")

    def handle(self, cmd: dict) -> bool:
        """Apply one command; True when it asks for a steps update."""
        op = cmd.get("op")
        if op == "feed":
            self.an.feed(cmd.get("text") or "")
            return True
        if op == "reset":
            self.reset(int(cmd.get("session", self.session + 1)), cmd.get("prompt") or None)
            return False
        if op == "close":
            an = self.an
            an.close()
            self.updates(force=True)
            snap = an.snapshot(cmd.get("answer") or "", decode_char_times(cmd))
            self.send({"op": "snapshot", "version": an.version, "analysis": snap.to_dict()})
            return False
        if op == "poll":
            self.sent_version = -1
            return True
        raise ValueError(f"unknown op {op!r}")

    def updates(self, *, force: bool = False) -> None:
        an = self.an
        if an.version == self.sent_version and not force:
            return
        first = self.sent_frozen
        steps = an.steps_since(first)
        frozen = an.frozen_steps
        self.send({"op": "steps", "version": an.version, "from": first, "frozen": frozen,
                   "steps": [[s.index, s.start, s.end, s.paragraph, s.label, s.phase] for s in steps]})
        self.sent_frozen, self.sent_version = frozen, an.version
        now = time.monotonic()
        if (frozen != self.snap_frozen and now >= self.next_snap and not an.closed
                and not _input_waiting(self.fd)):  # more text (or the close) first: this can wait

            t0 = time.perf_counter()
            snap = an.snapshot()
            cost = time.perf_counter() - t0
            self.snap_frozen = frozen
            self.next_snap = now + max(PHASES_INTERVAL, SNAPSHOT_COST_SHARE * cost)
            self.send({"op": "phases", "version": an.version, "frozen": frozen,
                       "phases": [p.to_dict() for p in snap.phases], "metrics": snap.metrics.to_dict()})


def _input_waiting(fd: int | None) -> bool:
    if fd is None:
        return False
    try:
        return bool(select.select([fd], [], [], 0)[0])
    except (OSError, ValueError):
        return False


def main() -> int:
    fd = sys.stdin.fileno()
    out = sys.stdout.buffer
    try:
        server = Server(out, fd)
    except Exception as exc:  # noqa: BLE001 - reported to the client, which falls back
        out.write(json.dumps({"op": "error", "message": f"start: {exc!r}"}).encode() + b"\n")
        out.flush()
        return 1
    out.write(b'{"op":"ready"}\n')
    out.flush()
    buf = b""
    eof = False
    while not eof:
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            break
        parts = [chunk]
        # everything already available, so that a backlog of feeds is analysed as one
        while select.select([fd], [], [], 0)[0]:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                eof = True
                break
            parts.append(chunk)
        buf += b"".join(parts)
        lines = buf.split(b"\n")
        buf = lines.pop()
        want = False
        for line in lines:
            if not line.strip():
                continue
            try:
                cmd = json.loads(line)
                if server.handle(cmd):
                    want = True
                elif cmd.get("op") in ("close", "reset"):
                    want = False
            except Exception as exc:  # noqa: BLE001
                server.send({"op": "error", "message": f"{type(exc).__name__}: {exc}"})
        if want:
            server.updates()
        out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
