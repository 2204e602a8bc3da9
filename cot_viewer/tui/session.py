"""What an ask screen needs and what the command reads back after the app closes (no Textual)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

OUTLINE_MIN_WIDTH = 140  # columns: the outline (and so the live analysis) is shown from this width on


@dataclass
class AskSession:
    endpoint: Any  # stream.endpoint.Endpoint
    options: Any = None  # stream.endpoint.StreamOptions
    history: Any = None  # store.history.History, or None (--no-save, or it could not be opened)
    store_error: str | None = None
    max_tokens: int | None = None
    turns: list = field(default_factory=list)  # Transcripts of this conversation, oldest first
    runs: list = field(default_factory=list)  # the cot_viewer.run.Run of each turn shown
    save_error: str | None = None
    pending: Any = None  # a Run already streaming turns[-1] (started before the app), not yet shown
    request: Any = None  # request.AskRequest: thinking settings reused (or re-planned) by follow-ups
    notices: list = field(default_factory=list)  # notes on the first turn's request, shown on opening

    @property
    def last(self):
        return self.turns[-1] if self.turns else None

    def run_for(self, tr):
        """The Run streaming ``tr``: the one started before the app, or a new one now."""
        run, self.pending = self.pending, None
        if run is None or run.transcript is not tr:
            from cot_viewer.run import start_run

            if run is not None:
                self.runs.append(run)
            run = start_run(self.endpoint, tr, history=self.history, options=self.options,
                            max_tokens=self.max_tokens, request=self.request)
        self.runs.append(run)
        return run

    def adopt(self, run) -> None:
        """After ``run`` ended: its endpoint and request (the model a local server named)
        serve the follow-ups; its save error is the one to report."""
        self.endpoint, self.request = run.endpoint, run.request or self.request
        self.save_error = self.store_error or run.save_error

    def follow_up_messages(self, prompt: str) -> list[dict]:
        """Earlier turns as plain messages (never their reasoning), then ``prompt``.

        The same shape as :func:`cot_viewer.commands.ask.conversation_messages`: the first
        turn's messages up to its prompt (system prompt and any earlier conversation),
        then user/assistant pairs with the answers only.
        """
        first = self.turns[0]
        messages = [dict(m) for m in first.messages[:-1]]
        for t in self.turns:
            messages.append({"role": "user", "content": t.prompt})
            messages.append({"role": "assistant", "content": t.answer})
        messages.append({"role": "user", "content": prompt})
        return messages

    def close_all(self) -> None:
        """Stop whatever still streams and wait for every final save (idempotent)."""
        if self.pending is not None:  # started, never shown (the app failed to start)
            self.runs.append(self.pending)
            self.pending = None
        for run in self.runs:
            run.close()
