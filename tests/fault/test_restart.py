"""Durability across restarts and crashes (pip python3 + boto3); each test owns its server and data dir.

Run: RIFFLE_BIN=build/riffle python3 tests/fault/test_restart.py -v
"""

import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'support'))

from riffle_server import RiffleServer, require_own_server, unique_name  # noqa: E402
from kinesis_helpers import client, create_active, describe, read_shard, wait_active, wait_gone  # noqa: E402

SHARD0 = 'shardId-000000000000'


class Restart(unittest.TestCase):

    def setUp(self):
        require_own_server(self)
        self.server = RiffleServer().start()
        self.addCleanup(self.server.close)
        self.kin = client(self.server.endpoint)

    def reconnect(self):
        self.kin = client(self.server.endpoint)  # the port changes on every start

    def all_records(self, name):
        shards = describe(self.kin, name)['Shards']
        return {s['ShardId']: read_shard(self.kin, name, s['ShardId']) for s in shards}

    def test_clean_restart_keeps_everything(self):
        """After SIGTERM + restart: streams, shards (closed ones too), tags, records and a pre-restart iterator survive."""
        name, other = unique_name('keep'), unique_name('keep2')
        create_active(self.kin, name, 1)
        create_active(self.kin, other, 3)
        self.kin.add_tags_to_stream(StreamName=name, Tags={'owner': 'tests', 'n': '1'})
        before = [self.kin.put_record(StreamName=name, PartitionKey='p%d' % i, Data=b'r%d' % i)['SequenceNumber']
                  for i in range(5)]
        self.kin.split_shard(StreamName=name, ShardToSplit=SHARD0, NewStartingHashKey=str(2 ** 127))
        shards_before = wait_active(self.kin, name)['Shards']
        child_seq = self.kin.put_record(StreamName=name, PartitionKey='after-split', Data=b'c')
        it = self.kin.get_shard_iterator(StreamName=name, ShardId=SHARD0, ShardIteratorType='AT_SEQUENCE_NUMBER',
                                         StartingSequenceNumber=before[2])['ShardIterator']
        desc_other = describe(self.kin, other)

        self.server.restart()
        self.reconnect()

        self.assertEqual(sorted(self.kin.list_streams()['StreamNames']), sorted([name, other]))
        d = describe(self.kin, name)
        self.assertEqual(d['StreamStatus'], 'ACTIVE')
        self.assertEqual(d['Shards'], shards_before)
        self.assertEqual(describe(self.kin, other)['Shards'], desc_other['Shards'])
        tags = {t['Key']: t['Value'] for t in self.kin.list_tags_for_stream(StreamName=name)['Tags']}
        self.assertEqual(tags, {'owner': 'tests', 'n': '1'})
        self.assertEqual([r['SequenceNumber'] for r in read_shard(self.kin, name, SHARD0)], before)
        child = read_shard(self.kin, name, child_seq['ShardId'])
        self.assertEqual([r['SequenceNumber'] for r in child], [child_seq['SequenceNumber']])
        # The iterator handed out before the restart still reads from where it pointed.
        got = self.kin.get_records(ShardIterator=it)['Records']
        self.assertEqual([r['SequenceNumber'] for r in got], before[2:])
        # Sequence numbers keep increasing after the restart.
        nxt = self.kin.put_record(StreamName=name, PartitionKey='after-split', Data=b'n')
        self.assertEqual(nxt['ShardId'], child_seq['ShardId'])
        self.assertGreater(int(nxt['SequenceNumber']), int(child_seq['SequenceNumber']))

    def test_acknowledged_records_survive_kill9(self):
        """Every record acknowledged before a SIGKILL is there after restart, exactly once and in order."""
        name = unique_name('crash')
        create_active(self.kin, name, 2)
        acked = []
        for i in range(30):
            r = self.kin.put_record(StreamName=name, PartitionKey='k%d' % (i % 4), Data=b'single-%d' % i)
            acked.append((r['ShardId'], r['SequenceNumber'], b'single-%d' % i))
        batch = [{'PartitionKey': 'b%d' % i, 'Data': b'batch-%d' % i} for i in range(100)]
        resp = self.kin.put_records(StreamName=name, Records=batch)
        self.assertEqual(resp.get('FailedRecordCount', 0), 0)
        acked += [(e['ShardId'], e['SequenceNumber'], rec['Data']) for rec, e in zip(batch, resp['Records'])]
        last = self.kin.put_record(StreamName=name, PartitionKey='last', Data=b'last')
        acked.append((last['ShardId'], last['SequenceNumber'], b'last'))

        self.server.kill9()
        self.server.start()
        self.reconnect()

        got = self.all_records(name)
        for shard_id, records in got.items():
            want = sorted(((int(s), d) for sh, s, d in acked if sh == shard_id))
            self.assertEqual([(int(r['SequenceNumber']), r['Data']) for r in records], want, shard_id)
        self.assertEqual(sum(len(v) for v in got.values()), len(acked))

    def test_kill9_then_writes_continue_increasing(self):
        """After a crash, new sequence numbers in a shard are still greater than every acknowledged one."""
        name = unique_name('crash2')
        create_active(self.kin, name)
        seqs = [int(self.kin.put_record(StreamName=name, PartitionKey='a', Data=b'x')['SequenceNumber'])
                for _ in range(10)]
        self.server.kill9()
        self.server.start()
        self.reconnect()
        nxt = int(self.kin.put_record(StreamName=name, PartitionKey='a', Data=b'y')['SequenceNumber'])
        self.assertGreater(nxt, max(seqs))
        self.assertEqual(len(read_shard(self.kin, name, SHARD0)), 11)

    def test_recreated_stream_never_reuses_sequence_numbers(self):
        """Deleting and re-creating a stream (also across a restart) gives sequence numbers above all earlier ones."""
        name = unique_name('reuse')
        create_active(self.kin, name)
        old = [int(self.kin.put_record(StreamName=name, PartitionKey='a', Data=b'1')['SequenceNumber'])
               for _ in range(5)]
        self.kin.delete_stream(StreamName=name)
        wait_gone(self.kin, name)
        create_active(self.kin, name)
        self.assertEqual(read_shard(self.kin, name, SHARD0), [])
        mid = int(self.kin.put_record(StreamName=name, PartitionKey='a', Data=b'2')['SequenceNumber'])
        self.assertGreater(mid, max(old))

        self.server.restart()
        self.reconnect()
        self.kin.delete_stream(StreamName=name)
        wait_gone(self.kin, name)
        create_active(self.kin, name)
        new = int(self.kin.put_record(StreamName=name, PartitionKey='a', Data=b'3')['SequenceNumber'])
        self.assertGreater(new, mid)

    def test_sigterm_exits_zero_and_restart_is_repeatable(self):
        """Several SIGTERM/start cycles in a row each exit 0 and keep the same data."""
        name = unique_name('cycles')
        create_active(self.kin, name)
        seqs = []
        for _ in range(3):
            seqs.append(self.kin.put_record(StreamName=name, PartitionKey='a', Data=b'c')['SequenceNumber'])
            self.server.restart()  # stop() asserts exit code 0
            self.reconnect()
        self.assertEqual([r['SequenceNumber'] for r in read_shard(self.kin, name, SHARD0)], seqs)


if __name__ == '__main__':
    unittest.main()
