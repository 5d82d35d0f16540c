"""Writes resume when disk space returns, without a restart (pip python3 + boto3).

Two ways to run out of space, both without root:
- RLIMIT_FSIZE (always runs): the server's files may not grow past a few MiB, so a write
  fails with EFBIG; the test then raises the running server's limit from outside with
  prlimit(2).
- A real size-limited tmpfs (runs where unprivileged user namespaces are enabled, else
  skipped with the reason): a holder process made by `unshare -Urm` mounts a small tmpfs
  with a ballast file in it, the server runs inside that mount namespace (nsenter), writes
  fail with ENOSPC, and the test deletes the ballast (through /proc/PID/root) to free space.

Either way: writes fail with a 5xx and are never acknowledged, reads go on, the admin
listener's /health/ready answers 503 with the reason (and /metrics counts the failed store
writes), and once space is back later writes succeed on the same process and it is ready again. Then a kill -9 and a restart: every
acknowledged record is there once, in acknowledgement order, and no failed one appears.

Run: RIFFLE_BIN=build/riffle python3 tests/fault/test_disk_resume.py -v
"""

import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

from botocore.exceptions import ClientError, ConnectionClosedError, EndpointConnectionError, ReadTimeoutError

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'support'))

from riffle_server import RiffleServer, require_own_server, unique_name  # noqa: E402
from kinesis_helpers import client, create_active, describe, read_shard  # noqa: E402
from metrics_text import get, samples  # noqa: E402

FILE_LIMIT = 6 << 20      # RLIMIT variant: bytes any one file of the server may reach
TMPFS_MIB = 64            # tmpfs variant: size of the file system
BALLAST_MIB = 40          # tmpfs variant: taken by the ballast until the test frees it
MAX_VOLUME = 96 << 20     # give up (and fail) if this much was accepted without an error
RECORD = 48 << 10
ERRORS_WANTED = 4
# How long writes are tried after space returns before the test gives up (a bound, not a
# measurement: recovery waits for RocksDB's running compactions, slow under sanitizers).
RECOVERY_SECONDS = float(os.environ.get('RIFFLE_RESUME_SECONDS', '120'))
WRITES_AFTER = 30         # writes that must all succeed once one did


def limit_file_size():
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    # Only the soft limit: the test raises it to the (unlimited) hard one later, which needs no privilege.
    resource.setrlimit(resource.RLIMIT_FSIZE, (FILE_LIMIT, resource.RLIM_INFINITY))


class Tmpfs:
    """A holder process in a new user + mount namespace with a size-limited tmpfs mounted
    on `mountpoint` (a ballast file fills part of it); `wrapper` runs a command in there."""

    def __init__(self):
        self.mountpoint = tempfile.mkdtemp(prefix='riffle-tmpfs-')
        self.holder = None

    def start(self):
        """None on success, else why the machine cannot do it."""
        if not shutil.which('unshare') or not shutil.which('nsenter'):
            return 'unshare/nsenter not installed'
        script = ('mount -t tmpfs -o size=%dm riffle-test "$0" && mkdir "$0/data" && '
                  'dd if=/dev/zero of="$0/ballast" bs=1M count=%d 2>/dev/null && echo ready && '
                  'exec sleep 100000') % (TMPFS_MIB, BALLAST_MIB)
        self.holder = subprocess.Popen(['unshare', '-Urm', 'sh', '-c', script, self.mountpoint],
                                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
        line = self.holder.stdout.readline().decode()
        if line.strip() != 'ready':
            self.holder.wait(10)
            why = self.holder.stderr.read().decode().strip()
            self.close_pipes()
            self.holder = None
            return 'cannot mount a tmpfs in a user namespace (unprivileged user namespaces disabled?): ' + why
        return None

    @property
    def wrapper(self):
        # Entering the mount namespace resets the working directory: keep ours (RIFFLE_BIN may be relative).
        return ['nsenter', '-t', str(self.holder.pid), '-U', '-m', '--preserve-credentials', '--wd=' + os.getcwd()]

    @property
    def data_dir(self):
        return os.path.join(self.mountpoint, 'data')

    def free_space(self):
        os.remove('/proc/%d/root%s/ballast' % (self.holder.pid, self.mountpoint))

    def close_pipes(self):
        self.holder.stdout.close()
        self.holder.stderr.close()

    def close(self):
        if self.holder is not None:
            self.holder.kill()
            self.holder.wait(10)
            self.close_pipes()
        shutil.rmtree(self.mountpoint, ignore_errors=True)


class DiskResume(unittest.TestCase):

    def setUp(self):
        require_own_server(self)

    def read_all(self, kin, name):
        out = []
        for shard in describe(kin, name)['Shards']:
            out += [(shard['ShardId'], r['SequenceNumber'], r['Data'])
                    for r in read_shard(kin, name, shard['ShardId'], max_calls=1000)]
        return out

    def write(self, kin, name, i, acked, failed):
        """One PutRecord (odd i) or two-record PutRecords (even i); returns the error codes."""
        data = os.urandom(RECORD) + b'%d' % i
        errors = []
        try:
            if i % 2:
                try:
                    r = kin.put_record(StreamName=name, PartitionKey='k%d' % i, Data=data)
                except ClientError:
                    failed.append(data)
                    raise
                acked.append((r['ShardId'], r['SequenceNumber'], data))
            else:
                entries = [{'Data': data, 'PartitionKey': 'a%d' % i}, {'Data': data[::-1], 'PartitionKey': 'b%d' % i}]
                try:
                    r = kin.put_records(StreamName=name, Records=entries)
                except ClientError:
                    failed.extend(e['Data'] for e in entries)
                    raise
                for entry, result in zip(entries, r['Records']):
                    if 'SequenceNumber' in result:
                        acked.append((result['ShardId'], result['SequenceNumber'], entry['Data']))
                    else:
                        failed.append(entry['Data'])
                        errors.append(result['ErrorCode'])
                        self.last_error = result.get('ErrorMessage')
        except ClientError as e:
            self.last_error = e.response['Error'].get('Message')
            errors.append(e.response['Error']['Code'])
            self.assertEqual(e.response['ResponseMetadata']['HTTPStatusCode'] // 100, 5, e.response)
        except (ConnectionClosedError, EndpointConnectionError, ReadTimeoutError) as e:
            self.fail('the server must answer a failed write, not drop it: %r; stderr:\n%s'
                      % (e, self.server.stderr_text()))
        return errors

    def run_scenario(self, make_room):
        kin = client(self.server.endpoint)
        name = unique_name('resume')
        create_active(kin, name, 2)
        acked, failed, errors = [], [], []
        volume = 0
        i = 0
        while len(errors) < ERRORS_WANTED:
            i += 1
            errors += self.write(kin, name, i, acked, failed)
            volume += RECORD
            self.assertLess(volume, MAX_VOLUME, 'no write failed although space is limited')
        self.assertTrue(acked, 'some writes succeeded before space ran out')
        self.assertTrue(all(code in ('InternalFailure', 'ServiceUnavailable') for code in errors), errors)
        self.assertIsNone(self.server.proc.poll(), 'riffle died; stderr:\n' + self.server.stderr_text())
        self.assertEqual(sorted(self.read_all(kin, name)), sorted(acked), 'reads show exactly the acknowledged')
        full_acked = len(acked)
        # Not ready while the store cannot write; still live.
        status, text = get(self.server.admin_endpoint + '/health/ready')
        self.assertEqual(status, 503, text)
        self.assertRegex(text, r'^not ready: store: .*disk full')
        self.assertEqual(get(self.server.admin_endpoint + '/health/live'), (200, 'live\n'))
        values = samples(get(self.server.admin_endpoint + '/metrics')[1])
        self.assertEqual(values['riffle_ready'], 0)
        self.assertGreater(values['riffle_store_failed_writes_total'], 0)

        make_room()

        # The same process takes writes again: the first may still fail while the store
        # recovers; keep trying (each a real request) for a bounded time.
        deadline = time.monotonic() + RECOVERY_SECONDS
        while True:
            i += 1
            if not self.write(kin, name, i, acked, failed):
                break
            if time.monotonic() > deadline:
                self.fail('writes did not resume after space returned (last error: %s); stderr:\n%s'
                          % (getattr(self, 'last_error', None), self.server.stderr_text()))
            time.sleep(0.05)
        for _ in range(WRITES_AFTER):
            i += 1
            self.assertEqual(self.write(kin, name, i, acked, failed), [], 'every write succeeds once resumed')
        self.assertEqual(get(self.server.admin_endpoint + '/health/ready'), (200, 'ready\n'))
        print('\n%d records acknowledged before space ran out, %d failed, %d acknowledged after it returned'
              % (full_acked, len(failed), len(acked) - full_acked), flush=True)
        self.assertEqual(sorted(self.read_all(kin, name)), sorted(acked))

        # Crash and restart: everything acknowledged is there once, in order; nothing failed appears.
        self.server.kill9()
        self.server.preexec_fn = None
        self.server.start()
        kin = client(self.server.endpoint)
        got = self.read_all(kin, name)
        self.assertEqual(len(got), len(set(seq for _, seq, _ in got)), 'no record twice')
        present = {seq: (shard, data) for shard, seq, data in got}
        for shard, seq, data in acked:
            self.assertEqual(present.get(seq), (shard, data), 'acknowledged record %s lost' % seq)
        self.assertEqual(len(got), len(acked), 'nothing but the acknowledged records')
        failed_set = set(failed)
        self.assertFalse([seq for _, seq, data in got if data in failed_set], 'a failed write appeared')
        for shard in {s for s, _, _ in acked}:
            order = [seq for s, seq, _ in acked if s == shard]
            self.assertEqual(order, sorted(order, key=int), 'acknowledgement order is sequence order')
        r = kin.put_record(StreamName=name, PartitionKey='after', Data=b'after restart')
        self.assertTrue(any(seq == r['SequenceNumber'] for _, seq, _ in self.read_all(kin, name)))

    def test_rlimit_raised_on_the_running_process(self):
        self.server = RiffleServer(preexec_fn=limit_file_size, args=['--admin-port', '0'])
        self.server.start()
        self.addCleanup(self.server.close)
        pid = self.server.proc.pid

        def make_room():
            resource.prlimit(pid, resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))

        self.run_scenario(make_room)

    def test_tmpfs_space_freed_under_the_running_process(self):
        tmpfs = Tmpfs()
        self.addCleanup(tmpfs.close)
        why = tmpfs.start()
        if why:
            self.skipTest(why)
        self.server = RiffleServer(data_dir=tmpfs.data_dir, wrapper=tmpfs.wrapper, args=['--admin-port', '0'])
        self.server.start()
        self.addCleanup(self.server.close)
        self.run_scenario(tmpfs.free_space)


if __name__ == '__main__':
    unittest.main()
