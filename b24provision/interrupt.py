"""Being stopped: Ctrl-C (SIGINT) and SIGTERM (``kill``, a CI job cancelled, a container stopped) end
a run the same way — one line on stderr saying what was stopped and, for an apply, what was done and
what was not — instead of dying without a word.

Python turns SIGINT into ``KeyboardInterrupt``; :func:`install_sigterm_handler` makes SIGTERM raise
:class:`Terminated`, a ``KeyboardInterrupt`` too, so one ``except KeyboardInterrupt`` (``cli.user_errors``)
handles both. Exit codes follow the shell's 128 + signal number: 130 after Ctrl-C, 143 after SIGTERM.

A stop in the middle of a write is an unknown outcome like a dropped connection: the next ``plan``
shows what is left, and ``apply`` re-reads before writing anything.
"""

from __future__ import annotations

import signal
import threading
from types import FrameType

__all__ = [
    "EXIT_INTERRUPTED",
    "EXIT_TERMINATED",
    "Terminated",
    "exit_code",
    "install_sigterm_handler",
    "stopped",
    "with_status",
]

EXIT_INTERRUPTED = 130
"""Exit code after Ctrl-C (128 + SIGINT)."""
EXIT_TERMINATED = 143
"""Exit code after SIGTERM (128 + SIGTERM)."""


class Terminated(KeyboardInterrupt):
    """SIGTERM arrived; raised in the main thread wherever it was, like Ctrl-C's KeyboardInterrupt."""


def install_sigterm_handler() -> None:
    """Make SIGTERM raise :class:`Terminated` (only the main thread can set a signal handler)."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _raise_terminated)


def _raise_terminated(signum: int, frame: FrameType | None) -> None:
    raise Terminated()


def exit_code(interrupt: KeyboardInterrupt) -> int:
    return EXIT_TERMINATED if isinstance(interrupt, Terminated) else EXIT_INTERRUPTED


def stopped(interrupt: KeyboardInterrupt) -> str:
    """The line to print: what stopped the run, and what the interrupted code said it had done."""
    what = "Terminated (SIGTERM)" if isinstance(interrupt, Terminated) else "Interrupted"
    detail = str(interrupt.args[0]) if interrupt.args else ""
    return f"{what}: {detail}" if detail else f"{what}."


def with_status(interrupt: KeyboardInterrupt, status: str) -> KeyboardInterrupt:
    """The same kind of interrupt, now saying ``status`` (what was done and what was not)."""
    return type(interrupt)(status)
