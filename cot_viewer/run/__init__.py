"""One prompt's stream, saved as it arrives: the one way every face streams a prompt.

:func:`start_run` sends the request at once, on a thread of its own, and returns a
:class:`Run`. The thread reads the response (:class:`~cot_viewer.stream.client.StreamClient`),
applies each event to the transcript and saves it to the history every half second
(:class:`~cot_viewer.store.history.Recorder`, driven by a :class:`~cot_viewer.ticker.Ticker`
also while the server sends only keep-alives), then hands the events to whoever shows them.
No screen code: ``ask --plain``/``--json`` read it with a blocking loop, the terminal UI
with ``async for`` on its event loop. Start it before anything slow (``cot-viewer ask``
starts it before it imports Textual, so the request overlaps the app's start-up).

Using a Run::

    run = start_run(endpoint, tr, history=history, options=options, request=request)
    for batch in run.batches():          # or: async for batch in run.abatches()
        for event in batch: ...          # every event, in order, already applied to tr
    run.close()                          # waits for the final save (after a stop too)

* ``run.batches(timeout=None)`` — a blocking iterator of lists of events: everything that
  arrived since the previous list (one list while the consumer was busy, however many
  network reads that was). With ``timeout`` it yields ``[]`` when nothing came for that
  long (a printer flushes then). It ends after the final save.
* ``run.abatches()`` — the same as an async iterator: the loop is woken by the thread when
  events arrive (no polling). Runs are independent: several can stream at once, in threads,
  consumed from one event loop (``asyncio.gather`` or one task each).
* :func:`coalesce` turns a list of events into ``(event, n)`` pairs with runs of
  reasoning / answer deltas joined into one delta of ``n`` tokens (cheaper to show).
* ``run.stop()`` — stop the stream where it is (Escape, Ctrl-C): the transcript keeps what
  arrived, ends ``interrupted`` / ``cancelled`` and is saved; the iterators end after that
  save. Returns at once; safe from any thread, any number of times.
* ``run.transcript`` — the live :class:`~cot_viewer.transcript.Transcript` (the thread
  writes it; read it between batches). ``run.elapsed()`` — seconds since the request went
  out, the clock of the events' ``t``.
* ``run.endpoint`` / ``run.request`` — as sent: when the endpoint names no model (a local
  server), the Run asks the server for its first model before the request and records it
  on both and on the transcript (price and settings stamped again).
* ``run.saved_id`` (the transcript's id once its row exists, else None), ``run.saved``
  (a row was written and no save failed), ``run.save_error`` (why saving failed, or None),
  ``run.done`` (the final save is over).
* ``run.close()`` — stop if still streaming, then wait for the final save.
  ``await run.aclose()`` does the same without blocking the loop.

The exit code a finished run means is the command line's business
(:mod:`cot_viewer.exit_codes`); the Run only leaves the transcript's ``status`` and
``error_kind``.
"""

from cot_viewer.run.run import Run, coalesce, start_run

__all__ = ["Run", "coalesce", "start_run"]
