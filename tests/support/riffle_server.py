"""Start and stop a riffle server for client tests (standard library only).

Works under any Python 3 (the pip one and Debian's /usr/bin/python3).

    with RiffleServer() as srv:            # fresh temp --data-dir
        srv.endpoint                       # 'http://127.0.0.1:PORT'
    with RiffleServer(tls=(cert, key)) as srv:   # also https on a free port
        srv.tls_endpoint                   # 'https://127.0.0.1:PORT'
        srv.restart()                      # SIGTERM, then start again on the same dir
        srv.kill9(); srv.start()           # crash, then start again on the same dir
    with RiffleServer(args=['--admin-port', '0']) as srv:
        srv.admin_endpoint                 # 'http://127.0.0.1:PORT' of /health, /metrics

The binary comes from env RIFFLE_BIN. If env RIFFLE_ENDPOINT is set, no
process is started and that endpoint is used (``srv.external`` is True);
tests that need server flags or restarts skip themselves then.

With env RIFFLE_CLUSTER=1 a RiffleServer is a whole cluster behind one endpoint:
tests/support/cluster_endpoint.py runs 3 nats-server, 3 Riffle nodes (each with `args`) and a
proxy that sends each HTTP/1.1 request to the next node (docs/cluster-tests.md). Tests that
restart or kill the server, or need TLS or a data dir, skip themselves then (skip_in_cluster).
"""

import os
import shutil
import sys
import signal
import subprocess
import tempfile
import threading
import time
import unittest
import urllib.parse

READY_PREFIX = 'Riffle ready at '
CLUSTER_ENDPOINT = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'cluster_endpoint.py')


def external_endpoint():
    """The endpoint of an already running server, or None."""
    return os.environ.get('RIFFLE_ENDPOINT') or None


def cluster_mode():
    """True when env RIFFLE_CLUSTER asks for every server to be a cluster behind one endpoint."""
    return os.environ.get('RIFFLE_CLUSTER', '') not in ('', '0')


class RiffleServer:
    def __init__(self, data_dir=None, in_memory=False, args=(), ready_timeout=20.0, tls=None, preexec_fn=None,
                 wrapper=(), cluster=None):
        """args: extra flags, e.g. ['--create-stream-ms', '500'].
        tls: (cert_file, key_file) to serve https too (--tls-port 0).
        preexec_fn: run in the child before exec (e.g. to set resource limits).
        wrapper: a command that execs the rest of its arguments (e.g. nsenter ...).
        cluster: run a cluster behind one endpoint instead of one process (default: env RIFFLE_CLUSTER)."""
        self.cluster = cluster_mode() if cluster is None else cluster
        if self.cluster and (tls or data_dir or preexec_fn or wrapper):
            raise unittest.SkipTest('tls, data dirs and process wrappers are single-process only (RIFFLE_CLUSTER)')
        self.preexec_fn = preexec_fn
        self.wrapper = list(wrapper)
        self.external = external_endpoint() is not None
        self.in_memory = in_memory
        self.args = list(args)
        self.ready_timeout = max(ready_timeout, 90.0) if self.cluster else ready_timeout
        self._own_dir = False
        self.data_dir = data_dir
        if not in_memory and data_dir is None and not self.external and not self.cluster:
            self.data_dir = tempfile.mkdtemp(prefix='riffle-test-')
            self._own_dir = True
        self.proc = None
        self.tls = tls
        self.endpoint = None
        self.port = None
        self.tls_endpoint = None
        self.tls_port = None
        self._stderr = None

    # -- lifecycle -------------------------------------------------------
    def start(self):
        if self.external:
            self.endpoint = external_endpoint().rstrip('/')
            self.port = urllib.parse.urlsplit(self.endpoint).port
            return self
        binary = os.environ.get('RIFFLE_BIN')
        if not binary:
            raise RuntimeError('set RIFFLE_BIN to the riffle binary (or RIFFLE_ENDPOINT)')
        if self.cluster:
            # stdin stays open: the cluster stops when it closes (this process died).
            cmd = [sys.executable, CLUSTER_ENDPOINT] + self.args
            stdin = subprocess.PIPE
        else:
            cmd = [binary, 'serve', '--host', '127.0.0.1', '--port', '0']
            cmd += ['--in-memory'] if self.in_memory else ['--data-dir', self.data_dir]
            if self.tls:
                cmd += ['--tls-cert', self.tls[0], '--tls-key', self.tls[1], '--tls-port', '0']
            cmd += self.args
            cmd = self.wrapper + cmd
            stdin = subprocess.DEVNULL
        if self._stderr is not None:
            self._stderr.close()
        self._stderr = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=self._stderr,
                                     stdin=stdin, preexec_fn=self.preexec_fn)
        line = self._read_ready_line()
        if not line.startswith(READY_PREFIX):
            self._abort('no ready line (got %r)' % line)
        self.endpoint = line[len(READY_PREFIX):].strip().rstrip('/')
        self.port = urllib.parse.urlsplit(self.endpoint).port
        if self.tls:
            line = self._read_ready_line()
            if not line.startswith(READY_PREFIX + 'https://'):
                self._abort('no https ready line (got %r)' % line)
            self.tls_endpoint = line[len(READY_PREFIX):].strip().rstrip('/')
            self.tls_port = urllib.parse.urlsplit(self.tls_endpoint).port
        self.admin_endpoint = None
        if '--admin-port' in self.args and not self.cluster:
            line = self._read_ready_line()
            if not line.startswith('Riffle admin at http://'):
                self._abort('no admin line (got %r)' % line)
            self.admin_endpoint = line[len('Riffle admin at '):].strip()
        # Drain anything else the server prints so it never blocks on a full pipe (the cluster
        # harness prints two lines per (re)start, read by restart()).
        if not self.cluster:
            threading.Thread(target=self._drain, args=(self.proc.stdout,), daemon=True).start()
        return self

    def _read_ready_line(self):
        box = []
        reader = threading.Thread(target=lambda: box.append(self.proc.stdout.readline()), daemon=True)
        reader.start()
        reader.join(self.ready_timeout)
        if not box:
            self._abort('not ready within %.0f s' % self.ready_timeout)
        return box[0].decode('utf-8', 'replace')

    @staticmethod
    def _drain(pipe):
        try:
            for _ in iter(lambda: pipe.read(4096), b''):
                pass
        except (ValueError, OSError):
            pass  # kill9/stop closed the pipe under us

    def stderr_text(self):
        if self._stderr is None:
            return ''
        self._stderr.seek(0)
        return self._stderr.read().decode('utf-8', 'replace')[-4000:]

    def _abort(self, why):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        message = ('riffle %s; exit=%s; stderr:\n%s'
                   % (why, self.proc.returncode if self.proc else None, self.stderr_text()))
        self.proc = None
        self.close()  # no __exit__/tearDownClass runs after a failed start: clean up here
        raise RuntimeError(message)

    def stop(self, timeout=40.0):
        """SIGTERM, wait, and require a clean exit code 0."""
        if self.external or self.proc is None:
            return
        proc, self.proc = self.proc, None
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        try:
            code = proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
            raise AssertionError('riffle did not exit within %.0f s of SIGTERM' % timeout)
        self._close_pipes(proc)
        if code != 0:
            raise AssertionError('riffle exited %s after SIGTERM; stderr:\n%s' % (code, self.stderr_text()))

    @staticmethod
    def _close_pipes(proc):
        for pipe in (proc.stdout, proc.stdin):
            if pipe:
                pipe.close()

    def kill9(self):
        """Crash the server (SIGKILL): nothing gets a chance to flush."""
        if self.external or self.proc is None:
            return
        if self.cluster:
            raise unittest.SkipTest('not against a cluster: kills the server (cluster faults: tests/fault/)')
        self.proc.kill()
        self.proc.wait(10)
        self._close_pipes(self.proc)
        self.proc = None

    def restart(self):
        """Clean stop, then start on the same data dir (new port). A cluster restarts its Riffle
        nodes (NATS and the endpoint stay)."""
        if self.cluster and not self.external and self.proc is not None:
            self.proc.send_signal(signal.SIGHUP)
            line = ''
            while not line.startswith(READY_PREFIX):
                line = self._read_ready_line()
                if not line:
                    self._abort('the cluster did not restart')
            return self
        self.stop()
        return self.start()

    def close(self):
        """Stop (best effort if already dead) and remove a temp data dir."""
        try:
            if self.proc is not None and self.proc.poll() is not None:
                self._close_pipes(self.proc)
                self.proc = None  # already exited: nothing to signal
            self.stop()
        finally:
            if self._stderr is not None:
                self._stderr.close()
                self._stderr = None
            if self._own_dir:
                shutil.rmtree(self.data_dir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.close()
        return False


def wait_until(predicate, timeout=10.0, interval=0.05, what='condition'):
    """Poll predicate() until truthy (returned) or fail after timeout seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError('timed out waiting for %s' % what)
        time.sleep(interval)


def unique_name(prefix='s'):
    """A stream name no other test (or earlier run on the same server) uses."""
    return '%s-%d-%s' % (prefix, os.getpid(), os.urandom(4).hex())


def require_own_server(testcase):
    """Skip a test that needs flags/restarts when running against RIFFLE_ENDPOINT."""
    if external_endpoint():
        raise unittest.SkipTest('needs its own riffle process (RIFFLE_ENDPOINT is set)')



def skip_in_cluster(testcase, why):
    """Skip a test that cannot run against a cluster (RIFFLE_CLUSTER), saying why."""
    if cluster_mode():
        raise unittest.SkipTest('not against a cluster: %s' % why)
