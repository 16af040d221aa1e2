#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""tests/integration/monitor_pty.py: gwctl driven interactively over a pseudo-terminal, as an
operator types: "terminal monitor", then a trigger (a bash command run by this script, e.g.
forging ESP from another namespace), then the monitor's lines are awaited on the terminal.

usage: monitor_pty.py --expect REGEX --trigger "BASH COMMAND" [--timeout S] -- GWCTL-ARGV...

Prints what the terminal showed; exit 0 when REGEX appeared after the trigger, 1 if not.
Only the process it forked is stopped (by its PID)."""
import argparse
import os
import pty
import re
import select
import signal
import subprocess
import sys
import time


def read_for(fd, seconds, until=None):
    """Read the terminal for up to seconds, or until the regex until matches what was read."""
    out = b""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        r, _, _ = select.select([fd], [], [], max(0.0, end - time.monotonic()))
        if not r:
            break
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
        if until is not None and re.search(until, out):
            break
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--expect", required=True)
    ap.add_argument("--trigger", required=True)
    ap.add_argument("--timeout", type=float, default=6.0)
    ap.add_argument("argv", nargs="+")
    a = ap.parse_args()

    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(a.argv[0], a.argv)
    seen = read_for(fd, 5, rb"#")                      # the first prompt
    os.write(fd, b"terminal monitor\r")
    seen += read_for(fd, 2, rb"terminal monitor[^#]*#")  # its answer and the prompt again
    subprocess.run(["bash", "-c", a.trigger], check=False)
    after = read_for(fd, a.timeout, a.expect.encode())
    os.write(fd, b"terminal no monitor\r")
    after += read_for(fd, 1)
    os.write(fd, b"exit\r")
    after += read_for(fd, 1)
    try:
        os.waitpid(pid, os.WNOHANG)
        os.kill(pid, signal.SIGTERM)
    except OSError:
        pass
    try:
        os.waitpid(pid, 0)
    except OSError:
        pass
    text = (seen + after).decode(errors="replace")
    sys.stdout.write(text.replace("\r", "") + "\n")
    return 0 if re.search(a.expect, after.decode(errors="replace")) else 1


if __name__ == "__main__":
    sys.exit(main())
