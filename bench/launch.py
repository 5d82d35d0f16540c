#!/usr/bin/env python3
"""Starts a server in the background and waits until it answers HTTP.

usage: launch.py PORT LOGFILE -- COMMAND...

Polls 127.0.0.1:PORT every millisecond with a POST / and prints one JSON line:
{"pid": ..., "ready_ms": <ms from spawn to the first HTTP answer>}. The server keeps
running (its own session); the caller stops it by pid. Exits 1 if the server exits or
does not answer within 120 s.
"""
import json
import socket
import subprocess
import sys
import time

port = int(sys.argv[1])
log = open(sys.argv[2], "ab")
command = sys.argv[sys.argv.index("--") + 1:]
probe = (b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-amz-json-1.1\r\n"
         b"X-Amz-Target: Kinesis_20131202.ListStreams\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}")
start = time.monotonic()
proc = subprocess.Popen(command, stdout=log, stderr=log, stdin=subprocess.DEVNULL, start_new_session=True)
while True:
    if proc.poll() is not None:
        print(json.dumps({"pid": proc.pid, "error": "exited with %d" % proc.returncode}))
        sys.exit(1)
    if time.monotonic() - start > 120:
        print(json.dumps({"pid": proc.pid, "error": "no answer within 120 s"}))
        sys.exit(1)
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
            s.sendall(probe)
            if s.recv(16).startswith(b"HTTP/1."):
                break
    except OSError:
        pass
    time.sleep(0.001)
ready_ms = (time.monotonic() - start) * 1000
print(json.dumps({"pid": proc.pid, "ready_ms": round(ready_ms, 1)}))
