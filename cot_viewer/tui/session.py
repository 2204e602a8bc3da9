"""What an ask screen needs and what the command reads back after the app closes (no Textual)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

OUTLINE_MIN_WIDTH = 140  # columns: the outline (and so the live analysis) is shown from this width on


@dataclass
class AskSession:
    endpoint: Any  # stream.client.Endpoint
    options: Any = None  # stream.client.StreamOptions
    history: Any = None  # store.history.History, or None (--no-save, or it could not be opened)
    store_error: str | None = None
    max_tokens: int | None = None
    turns: list = field(default_factory=list)  # Transcripts of this conversation, oldest first
    recorders: list = field(default_factory=list)  # Recorders, or Relays (same fields)
    save_error: str | None = None
    relay: Any = None  # stream.relay.Relay already streaming turns[-1] (started before the app)
    request: Any = None  # request.AskRequest: thinking settings reused (or re-planned) by follow-ups
    notices: list = field(default_factory=list)  # notes on the first turn's request, shown on opening

    @property
    def last(self):
        return self.turns[-1] if self.turns else None

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
        """Make sure every transcript is saved with a final status (idempotent)."""
        if self.relay is not None:  # started, never shown (the app failed to start)
            self.recorders.append(self.relay)
            self.relay = None
        for rec in self.recorders:
            tr = rec.transcript
            if tr.status == "streaming":
                tr.stop()
                rec.close()
