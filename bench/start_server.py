#!/usr/bin/env python3
"""Starts a server COUNT times and times each start from spawn until GET /healthz answers 200.

Usage: start_server.py COUNT HOST PORT LOG -- COMMAND...
Every start but the last is stopped again (SIGTERM); the last is left running. Prints
"PID MS1 MS2 ..." (the pid of the server left running, then each start-up time in ms).
"""
import http.client
import signal
import subprocess
import sys
import time


def wait_healthy(proc, host, port, started, limit=60.0):
    while True:
        try:
            conn = http.client.HTTPConnection(host, port, timeout=2)
            conn.request("GET", "/healthz")
            resp = conn.getresponse()
            resp.read()
            conn.close()
            if resp.status == 200:
                return (time.monotonic() - started) * 1000.0
        except OSError:
            pass
        if proc.poll() is not None:
            sys.exit(f"server exited with status {proc.returncode} before answering")
        if time.monotonic() - started > limit:
            proc.kill()
            sys.exit(f"server did not answer /healthz within {limit} s")
        time.sleep(0.001)


def stop(proc):
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def main():
    count, host, port, log = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
    command = sys.argv[sys.argv.index("--") + 1 :]
    times = []
    with open(log, "ab") as out:
        for i in range(count):
            started = time.monotonic()
            proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, start_new_session=True)
            times.append(wait_healthy(proc, host, port, started))
            if i + 1 < count:
                stop(proc)
    print(proc.pid, " ".join(f"{t:.1f}" for t in times))


if __name__ == "__main__":
    main()
