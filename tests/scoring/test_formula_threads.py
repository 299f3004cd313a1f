"""Formulas compiled from several threads at once (the web server's threads, a report thread).

CPython 3.11 keeps the AST constructor's recursion depth in interpreter-wide state. A thread switch
in the middle of building a tree (forced here by garbage whose finalizer yields the GIL while the
collector runs inside the constructor) let another thread's parse corrupt it: "SystemError: AST
constructor recursion depth mismatch", seen in the browser tests' live-server threads.
"""

import gc
import sys
import threading
import time

from opendti.scoring.formula import compile_formula, names_in

DEEP = "(" * 60 + "a + b" + ")" * 60 + " * 2 if a > b else min(a, b) - abs(b)"


class Cycle:
    """Garbage only the cycle collector frees; freeing it yields the GIL."""

    def __init__(self) -> None:
        self.me = self

    def __del__(self) -> None:
        time.sleep(0)


def test_parsing_in_many_threads_at_once_never_fails():
    failures: list[BaseException] = []

    def parse_many() -> None:
        try:
            for _ in range(1500):
                Cycle()
                compile_formula(DEEP, {"a", "b"})
                names_in(DEEP)
        except SystemError as exc:
            failures.append(exc)

    interval, thresholds = sys.getswitchinterval(), gc.get_threshold()
    sys.setswitchinterval(1e-6)
    gc.set_threshold(10, 1, 1)
    try:
        threads = [threading.Thread(target=parse_many) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
        gc.set_threshold(*thresholds)
    assert failures == []
