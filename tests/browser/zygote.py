"""Live servers forked from one process that imported the app once.

Each browser test's server was a new `python -m participation.cli serve`, whose import of the
app and its libraries took about 2 s of CPU, some forty times a run. Here one process, started
with the first server of the run, imports what `participation serve` imports, compiles every
template (each server compiled those it showed, 0.3 to 0.5 s of CPU) and waits; each
server is a fork of it that takes its own environment, log and session, then runs
`participation.cli.main(["serve"])` as the command does (granian then forks its worker from it,
as it does from the command). Nothing the app keeps is set up at import: settings, database,
Redis and the event loop all come after the fork, from the server's own environment.

Run as `python -m tests.browser.zygote`: it reads one JSON request a line on stdin (`env`,
`log`), answers the server's pid on stdout, and ends when stdin closes.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import traceback
from pathlib import Path
from typing import IO, Any


class ForkedServer:
    """What `LiveServer` asks of a server process (as of a `Popen`): a fork of the zygote,
    which the zygote reaps, so it is gone from /proc once it has ended."""

    def __init__(self, pid: int) -> None:
        self.pid = pid

    def poll(self) -> int | None:
        try:
            state = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (FileNotFoundError, ProcessLookupError):
            return 0
        return 0 if state == "Z" else None

    def terminate(self) -> None:
        try:
            os.kill(self.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass

    def wait(self, timeout: float) -> int:
        deadline = time.monotonic() + timeout
        while self.poll() is None:
            if time.monotonic() > deadline:
                os.kill(self.pid, signal.SIGKILL)
                raise subprocess.TimeoutExpired(f"server {self.pid}", timeout)
            time.sleep(0.05)
        return 0


class Zygote:
    """The pytest side: starts the process on first use, asks it for servers."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.process: subprocess.Popen[bytes] | None = None

    def fork(self, env: dict[str, str], log: Path) -> ForkedServer:
        if self.process is None or self.process.poll() is not None:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "tests.browser.zygote"],
                cwd=self.root,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
            )
        stdin, stdout = self._pipes()
        stdin.write(json.dumps({"env": env, "log": str(log)}).encode() + b"\n")
        stdin.flush()
        answer = stdout.readline()
        if not answer.strip().isdigit():
            raise RuntimeError(f"the server zygote did not fork a server: {answer!r}")
        return ForkedServer(int(answer))

    def _pipes(self) -> tuple[IO[bytes], IO[bytes]]:
        assert self.process is not None and self.process.stdin and self.process.stdout
        return self.process.stdin, self.process.stdout

    def close(self) -> None:
        if self.process is not None:
            stdin, stdout = self._pipes()
            stdin.close()  # the zygote ends at the end of its input
            self.process.wait(timeout=30)
            stdout.close()
            self.process = None


def _reap(*_: Any) -> None:
    try:
        while os.waitpid(-1, os.WNOHANG)[0] > 0:
            pass
    except ChildProcessError:
        pass


def _serve(request: dict[str, Any]) -> None:
    """In the fork: become the server the request describes, never return."""
    code = 1
    try:
        os.setsid()  # its own session: the signals sent to the zygote are not its own
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # granian waits for its worker
        log = os.open(request["log"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(log, 1)
        os.dup2(log, 2)
        os.close(log)
        nothing = os.open(os.devnull, os.O_RDONLY)
        os.dup2(nothing, 0)  # the zygote's requests are not the server's input
        os.close(nothing)
        os.environ.clear()
        os.environ.update(request["env"])
        from participation import cli

        code = cli.main(["serve"])
    except BaseException:  # noqa: BLE001 - whatever stopped it, said in its log
        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code or 0)


def main() -> None:
    # what `participation serve` imports, once: the command, the app its worker loads, granian
    import granian.constants  # noqa: F401
    import granian.log  # noqa: F401
    import granian.server  # noqa: F401

    import participation.asgi  # noqa: F401
    import participation.cli  # noqa: F401
    from participation.templating import templates

    # and every template compiled once: each server compiled those it rendered, again and again
    for name in templates.env.list_templates(filter_func=lambda name: name.endswith(".html")):
        templates.env.get_template(name)

    signal.signal(signal.SIGCHLD, _reap)
    for line in sys.stdin.buffer:
        request = json.loads(line)
        sys.stdout.flush()
        pid = os.fork()
        if pid == 0:
            _serve(request)
        sys.stdout.write(f"{pid}\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
