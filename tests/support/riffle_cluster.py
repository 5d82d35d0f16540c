"""A Riffle cluster for tests: N nats-server with JetStream and M Riffle nodes on loopback.

    with RiffleCluster(nodes=3) as cluster:
        cluster.endpoints              # ['http://127.0.0.1:P0', ...], one per Riffle node
        cluster.nats                   # the NatsCluster (kill/restart/leader_of)
        cluster.kill_node(1)           # SIGKILL Riffle node 1
        cluster.start_node(1)          # start it again (a new port; endpoints[1] changes)

Every Riffle node runs `riffle serve --nats URLS --nats-replicas R` plus `args`, on a free
port. Standard library only; works under any Python 3. The binary comes from env RIFFLE_BIN.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from nats_cluster import NatsCluster, _die_with_parent  # noqa: E402
from riffle_server import RiffleServer  # noqa: E402


class RiffleCluster:
    def __init__(self, nodes=3, nats_servers=3, replicas=None, args=(), max_payload=8 * 1024 * 1024,
                 ready_timeout=30.0, nats_conf='', nats_user=None):
        self.nats = NatsCluster(servers=nats_servers, max_payload=max_payload, conf=nats_conf)
        self.nats_user = nats_user  # (user, password) the nodes connect as
        self.replicas = replicas if replicas is not None else min(3, nats_servers)
        self.args = list(args)
        self.ready_timeout = ready_timeout
        self.servers = [None] * nodes

    def _node_args(self):
        urls = ','.join(self.nats.urls_as(*self.nats_user)) if self.nats_user else self.nats.url_list
        return ['--nats', urls, '--nats-replicas', str(self.replicas)] + self.args

    @property
    def endpoints(self):
        return [s.endpoint if s is not None and s.proc is not None else None for s in self.servers]

    def endpoint(self, i):
        return self.servers[i].endpoint

    def start(self):
        try:
            self.nats.start()
            for i in range(len(self.servers)):
                self.start_node(i)
        except BaseException:
            self.close()
            raise
        return self

    def start_node(self, i):
        """Starts Riffle node i (again); it gets a fresh port."""
        if self.servers[i] is not None:
            self.servers[i].close()
        self.servers[i] = RiffleServer(args=self._node_args(), ready_timeout=self.ready_timeout, cluster=False,
                                       preexec_fn=_die_with_parent).start()
        return self.servers[i]

    def kill_node(self, i):
        """SIGKILL Riffle node i."""
        if self.servers[i] is not None:
            self.servers[i].kill9()

    def stop_node(self, i):
        """SIGTERM Riffle node i and require a clean exit."""
        if self.servers[i] is not None:
            self.servers[i].stop()

    def close(self):
        try:
            for s in self.servers:
                if s is not None:
                    try:
                        s.close()
                    except AssertionError:
                        pass  # a node that did not stop cleanly must not keep NATS running
        finally:
            self.nats.stop()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.close()
        return False
