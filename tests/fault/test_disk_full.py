"""A full disk (pip python3 + boto3), simulated without root: the server runs with RLIMIT_FSIZE,
so a write that would grow a file past the limit fails with EFBIG (SIGXFSZ is ignored, which
exec keeps). Writes that fail are never acknowledged, reads keep working, and after a restart
with room again every acknowledged record is there, once, in order.

Run: RIFFLE_BIN=build/riffle python3 tests/fault/test_disk_full.py -v
"""

import os
import resource
import signal
import sys
import unittest

from botocore.exceptions import ClientError, ConnectionClosedError, EndpointConnectionError, ReadTimeoutError

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'support'))

from riffle_server import RiffleServer, require_own_server, unique_name  # noqa: E402
from kinesis_helpers import client, create_active, describe, read_shard  # noqa: E402

FILE_LIMIT = 6 << 20      # bytes any one file of the server may reach
MAX_VOLUME = 64 << 20     # give up (and fail) if this much was accepted without an error
RECORD = 48 << 10


def limit_file_size():
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (FILE_LIMIT, FILE_LIMIT))


class DiskFull(unittest.TestCase):

    def setUp(self):
        require_own_server(self)
        self.server = RiffleServer(preexec_fn=limit_file_size)
        self.server.start()
        self.addCleanup(self.server.close)

    def read_all(self, kin, name):
        out = []
        for shard in describe(kin, name)['Shards']:
            out += [(shard['ShardId'], r['SequenceNumber'], r['Data'])
                    for r in read_shard(kin, name, shard['ShardId'], max_calls=500)]
        return out

    def test_writes_fail_unacknowledged_reads_go_on_and_restart_recovers(self):
        kin = client(self.server.endpoint)
        name = unique_name('full')
        create_active(kin, name, 2)
        acked = []   # (shard, seq, data)
        errors = []
        volume = 0
        i = 0
        while len(errors) < 5:
            data = os.urandom(RECORD) + b'%d' % i
            i += 1
            try:
                if i % 2:
                    r = kin.put_record(StreamName=name, PartitionKey='k%d' % i, Data=data)
                    acked.append((r['ShardId'], r['SequenceNumber'], data))
                else:
                    entries = [{'Data': data, 'PartitionKey': 'a%d' % i}, {'Data': data[::-1], 'PartitionKey': 'b%d' % i}]
                    r = kin.put_records(StreamName=name, Records=entries)
                    for entry, result in zip(entries, r['Records']):
                        if 'SequenceNumber' in result:
                            acked.append((result['ShardId'], result['SequenceNumber'], entry['Data']))
                        else:
                            errors.append(result['ErrorCode'])
            except ClientError as e:
                errors.append(e.response['Error']['Code'])
                self.assertEqual(e.response['ResponseMetadata']['HTTPStatusCode'] // 100, 5, e.response)
            except (ConnectionClosedError, EndpointConnectionError, ReadTimeoutError) as e:
                self.fail('the server must answer a failed write, not drop it: %r; stderr:\n%s'
                          % (e, self.server.stderr_text()))
            volume += RECORD
            self.assertLess(volume, MAX_VOLUME, 'no write failed although files are limited to %d bytes' % FILE_LIMIT)
        print('\n%d records acknowledged, then errors %s' % (len(acked), errors), flush=True)
        self.assertTrue(acked, 'some writes succeeded before the limit')
        self.assertTrue(all(code in ('InternalFailure', 'ServiceUnavailable') for code in errors), errors)

        # Reads keep working and show exactly the acknowledged records.
        self.assertIsNone(self.server.proc.poll(), 'riffle died; stderr:\n' + self.server.stderr_text())
        self.assertEqual(sorted(self.read_all(kin, name)), sorted(acked))
        self.assertIn(name, kin.list_streams()['StreamNames'])

        # Room again (restart without the limit): everything acknowledged is there, once.
        self.server.kill9()
        self.server.preexec_fn = None
        self.server.start()
        kin = client(self.server.endpoint)
        got = self.read_all(kin, name)
        self.assertEqual(len(got), len(set(seq for _, seq, _ in got)), 'no record twice')
        present = {seq: (shard, data) for shard, seq, data in got}
        for shard, seq, data in acked:
            self.assertEqual(present.get(seq), (shard, data), 'acknowledged record %s lost' % seq)
        # Acknowledged order within a shard: sequence numbers increase in acknowledgement order.
        for shard in {s for s, _, _ in acked}:
            order = [seq for s, seq, _ in acked if s == shard]
            self.assertEqual(order, sorted(order, key=int))
        # And writing works again.
        r = kin.put_record(StreamName=name, PartitionKey='after', Data=b'room again')
        self.assertTrue(any(seq == r['SequenceNumber'] for _, seq, _ in self.read_all(kin, name)))


if __name__ == '__main__':
    unittest.main()
