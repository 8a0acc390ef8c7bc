"""Solving in a child process that can be stopped: SciPy's ``milp`` takes no callback and does
not return to Python before HiGHS is done, so stopping its process is the only way to interrupt
it.

:func:`solve_stoppable` forks a child (it shares the prepared input without copying it) and
waits for its answer, calling ``beat`` every ``poll_seconds``: ``beat`` raising any exception
(a cancel, say) kills the child at once and lets the exception through; a solve still working
``grace_seconds`` after its time limit is killed too (:class:`Overrun`). The child never touches
the database; it sends back the planner's plan, or its refusal, which is raised again here.
"""

import multiprocessing
import signal
import time

from tumbuh.core.refusals import Refused


class Overrun(Exception):
    """A solver went on past its time limit and the grace after it, and was stopped."""


def solve_stoppable(solve, *, time_limit: float, grace_seconds: float, poll_seconds: float, beat):
    """``solve()`` in a forked child process, with ``beat()`` every ``poll_seconds`` meanwhile.

    Where processes cannot be forked, the solve runs in this process and ``beat`` once after it.
    """
    if "fork" not in multiprocessing.get_all_start_methods():
        result = solve()
        beat()
        return result
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(solve, sender), daemon=True)
    deadline = time.monotonic() + time_limit + grace_seconds
    child.start()
    sender.close()
    try:
        while not receiver.poll(poll_seconds):
            beat()
            if time.monotonic() > deadline:
                raise Overrun
            if not child.is_alive() and not receiver.poll(0):
                break
        try:
            kind, value = receiver.recv()
        except EOFError:
            child.join()
            raise RuntimeError(
                f"the solver's process ended with code {child.exitcode} and no answer"
            ) from None
    finally:
        receiver.close()
        if child.is_alive():
            child.kill()  # HiGHS does not return to Python before it is done: no gentler signal
        child.join()
    if kind == "refused":
        code, message, field = value
        raise Refused(code, message, field=field)
    if kind == "error":
        raise RuntimeError(f"the solver failed: {value}")
    return value


def _child(solve, sender) -> None:
    """The child's whole life: solve, send the answer, exit (without touching the database)."""
    # Not the worker's handlers: Ctrl+C lets the worker finish its task (so the solve goes on),
    # a termination ends the child.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        result = solve()
    except Refused as refusal:
        sender.send(("refused", (refusal.code, refusal.message_text, refusal.field)))
    except BaseException as error:
        sender.send(("error", f"{type(error).__name__}: {error}"))
    else:
        sender.send(("plan", result))
    finally:
        sender.close()
