"""Start, kill and restart real nats-server processes for tests (standard library only).

One server, or a cluster of N (3) on loopback: each with -js, its own store
dir, --server_name nI, a client port, a route port and --routes to the others,
--cluster_name, and a monitoring port (-m); ports are free ones below the
kernel's ephemeral range, so a restarted server finds its ports free. start()
returns once every server answers /healthz and JetStream's meta leader sees
every server as a current peer (/jsz).

    with NatsCluster(servers=3) as nats:
        nats.urls                    # ['nats://127.0.0.1:P0', ...]
        nats.urls_as('u', 'pw')      # ['nats://u:pw@127.0.0.1:P0', ...] (with conf= users)
        nats.url_list                # 'nats://127.0.0.1:P0,nats://...' (riffle serve --nats)
        nats.kill(1)                 # SIGKILL
        nats.restart(1)              # same ports and store dir; waits until healthy
        nats.leader_of('riffle-log-7-0')   # index of the server leading a stream, or None
        nats.streams()               # {stream name: its cluster info (leader, replicas)}
        nats.wait_rejoined(1, ['riffle-log-7-0'])   # restarted server 1 caught up on these streams

Works under any Python 3. The binary is env NATS_SERVER, else nats-server on
PATH (Debian's lives in /usr/sbin).
"""

import ctypes
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request


def _ephemeral_low():
    """The lowest port of the kernel's ephemeral range (32768 when unreadable)."""
    try:
        with open('/proc/sys/net/ipv4/ip_local_port_range') as f:
            low = int(f.read().split()[0])
        return low if low > 1024 else 32768
    except (OSError, ValueError, IndexError):
        return 32768


_given_ports = set()


def _free_port():
    """A free port below the ephemeral range, never handed out before by this process.

    A port from bind(0) lies in the ephemeral range, where the kernel also picks the
    local ports of outgoing connections: a killed server restarted on it could find
    it taken. Below that range only listeners take ports."""
    high = _ephemeral_low() - 1
    low = 10000 if high > 12000 else 1025
    rng = random.Random()
    for _ in range(1000):
        port = rng.randint(low, high)
        if port in _given_ports:
            continue
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind(('127.0.0.1', port))
            except OSError:
                continue
        _given_ports.add(port)
        return port
    raise RuntimeError('no free port below %d' % (high + 1))


def _die_with_parent():
    """In the child: SIGKILL when the test process dies (Linux prctl PR_SET_PDEATHSIG)."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGKILL), 0, 0, 0)
    except (OSError, AttributeError):
        pass


def nats_server_binary():
    """The nats-server to run, or None when there is none."""
    explicit = os.environ.get('NATS_SERVER')
    if explicit:
        return explicit
    return shutil.which('nats-server') or shutil.which('nats-server', path='/usr/sbin:/usr/local/sbin')


class NatsCluster:
    def __init__(self, servers=3, max_payload=None, cluster_name='riffle-test', root=None, conf=''):
        self.servers = servers
        self.max_payload = max_payload
        self.conf = conf  # more configuration for every server (an authorization block)
        self.cluster_name = cluster_name
        self.binary = nats_server_binary()
        if self.binary is None:
            raise RuntimeError('nats-server not found (apt-get install nats-server, or set NATS_SERVER)')
        self._own_root = root is None
        self.root = root or tempfile.mkdtemp(prefix='riffle-nats-')
        self.nodes = []
        for i in range(servers):
            self.nodes.append({
                'name': 'n%d' % i,
                'client': _free_port(),
                'route': _free_port(),
                'monitor': _free_port(),
                'dir': os.path.join(self.root, 'n%d' % i),
                'proc': None,
                'log': None,
            })

    # -- addresses -------------------------------------------------------
    @property
    def urls(self):
        return ['nats://127.0.0.1:%d' % n['client'] for n in self.nodes]

    def urls_as(self, user, password):
        return ['nats://%s:%s@127.0.0.1:%d' % (user, password, n['client']) for n in self.nodes]

    @property
    def url_list(self):
        return ','.join(self.urls)

    def url(self, i):
        return self.urls[i]

    def monitor_url(self, i):
        return 'http://127.0.0.1:%d' % self.nodes[i]['monitor']

    # -- lifecycle -------------------------------------------------------
    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def start(self, timeout=30.0):
        for i in range(self.servers):
            self._launch(i)
        self.wait_ready(timeout)
        return self

    def stop(self):
        for i in range(self.servers):
            self.kill(i)
        for n in self.nodes:
            if n['log'] is not None:
                n['log'].close()
                n['log'] = None
        if self._own_root:
            shutil.rmtree(self.root, ignore_errors=True)

    def running(self, i):
        proc = self.nodes[i]['proc']
        return proc is not None and proc.poll() is None

    def kill(self, i):
        """SIGKILL server i (no-op when it is not running)."""
        proc = self.nodes[i]['proc']
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        self.nodes[i]['proc'] = None

    def terminate(self, i):
        """SIGTERM server i (a clean shutdown) and wait for it."""
        proc = self.nodes[i]['proc']
        if proc is not None and proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=30)
        self.nodes[i]['proc'] = None

    def restart(self, i, timeout=30.0):
        """Starts a stopped server again on its ports and store dir; waits until it is healthy."""
        if not self.running(i):
            self._launch(i)
        self.wait_ready(timeout)

    def _launch(self, i):
        n = self.nodes[i]
        os.makedirs(n['dir'], exist_ok=True)
        conf = os.path.join(n['dir'], 'server.conf')
        with open(conf, 'w') as f:
            if self.max_payload:
                f.write('max_payload: %d\n' % self.max_payload)
            f.write(self.conf)
        cmd = [self.binary, '-c', conf, '-a', '127.0.0.1', '-p', str(n['client']), '-m', str(n['monitor']),
               '-js', '-sd', os.path.join(n['dir'], 'js'), '--server_name', n['name']]
        if self.servers > 1:
            routes = ','.join('nats://127.0.0.1:%d' % m['route'] for j, m in enumerate(self.nodes) if j != i)
            cmd += ['--cluster_name', self.cluster_name, '--cluster', 'nats://127.0.0.1:%d' % n['route'],
                    '--routes', routes]
        if n['log'] is None:
            n['log'] = open(os.path.join(n['dir'], 'server.log'), 'ab')
        n['proc'] = subprocess.Popen(cmd, stdout=n['log'], stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     preexec_fn=_die_with_parent)

    # -- health ----------------------------------------------------------
    def _get(self, i, path):
        try:
            with urllib.request.urlopen(self.monitor_url(i) + path, timeout=2) as r:
                return r.status, r.read()
        except OSError as e:
            status = getattr(e, 'code', None)
            return status, b''

    def healthy(self, i):
        status, _ = self._get(i, '/healthz')
        return status == 200

    def meta_leader(self):
        """The name of JetStream's meta leader as a running server sees it, or None."""
        for i in range(self.servers):
            if not self.running(i):
                continue
            status, body = self._get(i, '/jsz')
            if status != 200:
                continue
            try:
                info = json.loads(body)
            except ValueError:
                continue
            cluster = info.get('meta_cluster') or {}
            if self.servers == 1 and info.get('config') is not None:
                return self.nodes[i]['name']
            if cluster.get('leader'):
                return cluster['leader']
        return None

    def wait_ready(self, timeout=30.0):
        deadline = time.monotonic() + timeout
        for i in range(self.servers):
            if self.nodes[i]['proc'] is None:
                continue
            while not self.healthy(i):
                if self.nodes[i]['proc'].poll() is not None:
                    raise RuntimeError('nats-server %s exited; see %s' %
                                       (self.nodes[i]['name'], os.path.join(self.nodes[i]['dir'], 'server.log')))
                if time.monotonic() > deadline:
                    raise RuntimeError('nats-server %s not healthy' % self.nodes[i]['name'])
                time.sleep(0.05)
        while self.meta_leader() is None or not self._meta_peers_current():
            if time.monotonic() > deadline:
                raise RuntimeError('JetStream has no meta leader, or a running server is not a current peer')
            time.sleep(0.1)

    def _meta_peers_current(self):
        """True when the meta leader reports every other running server as a current peer (else
        streams placed now may find 'no suitable peers')."""
        if self.servers == 1:
            return True
        running = {self.nodes[i]['name'] for i in range(self.servers) if self.running(i)}
        for i in range(self.servers):
            if not self.running(i):
                continue
            status, body = self._get(i, '/jsz')
            try:
                cluster = json.loads(body).get('meta_cluster') or {} if status == 200 else {}
            except ValueError:
                continue
            if cluster.get('leader') != self.nodes[i]['name']:
                continue
            current = {r.get('name') for r in cluster.get('replicas') or [] if r.get('current')}
            return running - {self.nodes[i]['name']} <= current
        return False

    def _stream_details(self, i):
        """The JetStream streams server i reports (/jsz stream_detail), or None when it does not answer."""
        if not self.running(i):
            return None
        status, body = self._get(i, '/jsz?accounts=true&streams=true')
        if status != 200:
            return None
        try:
            info = json.loads(body)
        except ValueError:
            return None
        return [s for account in info.get('account_details') or [] for s in account.get('stream_detail') or []]

    def streams(self):
        """{JetStream stream name: its cluster info ({'leader': name, 'replicas': [...]})} as the
        first running server that answers reports them."""
        for i in range(self.servers):
            details = self._stream_details(i)
            if details is not None:
                return {s.get('name'): s.get('cluster') or {} for s in details}
        return {}

    def leader_of(self, stream):
        """Index of the server leading JetStream stream `stream`, or None."""
        names = [n['name'] for n in self.nodes]
        for i in range(self.servers):
            for s in self._stream_details(i) or []:
                if s.get('name') == stream:
                    leader = (s.get('cluster') or {}).get('leader')
                    if leader in names:
                        return names.index(leader)
        return None

    def _last_seq(self, i, stream):
        """The last sequence of JetStream stream `stream` as server i stores it, or None."""
        for s in self._stream_details(i) or []:
            if s.get('name') == stream:
                return (s.get('state') or {}).get('last_seq')
        return None

    def _current_replica(self, leader, i, stream):
        for s in self._stream_details(leader) or []:
            if s.get('name') == stream:
                for r in (s.get('cluster') or {}).get('replicas') or []:
                    if r.get('name') == self.nodes[i]['name']:
                        return bool(r.get('current'))
        return False

    def wait_rejoined(self, i, streams, timeout=60.0):
        """Wait until server i is healthy and caught up on every stream in `streams`: it stores
        at least what the stream's leader had when the wait began, and the leader counts it as
        a current replica."""
        deadline = time.monotonic() + timeout
        self.wait_ready(timeout)
        for stream in streams:
            target = None
            while True:
                leader = self.leader_of(stream)
                if leader == i:
                    break
                if leader is not None and target is None:
                    target = self._last_seq(leader, stream)
                if target is not None and (self._last_seq(i, stream) or 0) >= target and \
                        self._current_replica(leader, i, stream):
                    break
                if time.monotonic() > deadline:
                    raise RuntimeError('nats-server %s did not catch up on %s (leader n%s, its last sequence '
                                       'then %s, this server\'s now %s; %s)' % (
                                           self.nodes[i]['name'], stream, leader, target,
                                           self._last_seq(i, stream), self.streams().get(stream)))
                time.sleep(0.1)

if __name__ == '__main__':
    import sys
    with NatsCluster(servers=int(sys.argv[1]) if len(sys.argv) > 1 else 3) as nats:
        print(nats.url_list)
        print('meta leader:', nats.meta_leader())
        nats.kill(0)
        nats.restart(0)
        print('restarted n0; meta leader:', nats.meta_leader())
