#!/usr/bin/env python3
"""One endpoint in front of a Riffle cluster, for running the client suites against a cluster.

    cluster_endpoint.py [RIFFLE SERVE FLAGS...]

Starts a 3-server NATS cluster, 3 Riffle nodes (`riffle serve --nats ... --nats-replicas 3` plus
the given flags, on every node) and a SpreadProxy in front of them, then prints
`Riffle ready at http://127.0.0.1:PORT` (the proxy) like `riffle serve` does, and
`Riffle nodes at URL,URL,URL`. SIGHUP restarts the Riffle nodes (SIGTERM, then start; NATS and
so every stream stay) and prints both lines again, the endpoint unchanged. It runs until SIGTERM
or until its stdin closes (its parent died), stops everything, and exits 0 only if every Riffle
node exited cleanly.

RiffleServer (riffle_server.py) and startRiffle (riffle_server.mjs) run this instead of
`riffle serve` when env RIFFLE_CLUSTER=1. The binary comes from env RIFFLE_BIN.
"""

import os
import signal
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from riffle_cluster import RiffleCluster  # noqa: E402
from spread_proxy import SpreadProxy  # noqa: E402

NODES = 3
START_ATTEMPTS = 3


def stop_nodes(cluster, failures):
    for i, server in enumerate(cluster.servers):
        try:
            server.stop()
        except AssertionError as e:
            failures.append('node %d: %s' % (i, e))


def announce(proxy, cluster):
    print('Riffle ready at %s' % proxy.endpoint, flush=True)
    print('Riffle nodes at %s' % ','.join(cluster.endpoints), flush=True)


def main(flags):
    done = threading.Event()
    wake = threading.Event()
    restart = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: (done.set(), wake.set()))
    signal.signal(signal.SIGINT, lambda *_: (done.set(), wake.set()))
    signal.signal(signal.SIGHUP, lambda *_: (restart.set(), wake.set()))

    def watch_stdin():
        try:
            while os.read(0, 4096):
                pass
        except OSError:
            pass
        done.set()
        wake.set()

    # Free ports are picked, then bound by the servers: on a busy machine another process may take
    # one in between (a nats-server then exits at start). Such a start is tried again, on new ports.
    for attempt in range(1, START_ATTEMPTS + 1):
        cluster = RiffleCluster(nodes=NODES, nats_servers=3, replicas=3, args=flags)
        try:
            cluster.start()
            break
        except Exception as e:  # noqa: BLE001 -- reported to the harness, which shows our stderr
            print('cluster did not start (attempt %d): %s' % (attempt, e), file=sys.stderr, flush=True)
            if attempt == START_ATTEMPTS:
                return 1
    proxy = SpreadProxy(cluster.endpoints).start()
    announce(proxy, cluster)
    threading.Thread(target=watch_stdin, daemon=True).start()
    failures = []
    while not done.is_set():
        wake.wait()
        wake.clear()
        if restart.is_set() and not done.is_set():
            restart.clear()
            stop_nodes(cluster, failures)
            for i in range(NODES):
                cluster.start_node(i)
            proxy.set_endpoints(cluster.endpoints)
            announce(proxy, cluster)

    proxy.stop()
    print('requests (HTTP/2: connections) per node: %s' % proxy.counts, file=sys.stderr, flush=True)
    stop_nodes(cluster, failures)
    cluster.close()
    for failure in failures:
        print(failure, file=sys.stderr, flush=True)
    return 1 if failures else 0


if __name__ == '__main__':
    code = main(sys.argv[1:])
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)  # a daemon thread still blocks on stdin
