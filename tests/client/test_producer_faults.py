"""The Producer against a server that fails on purpose: whole PutRecords
calls (--inject-error, with no effect) and single entries (--inject-record-
failure, not stored). Every record must be stored exactly once and reported
once, checked by boto3 reading the stream back (aggregated records split
with riffle-kinesis-probe deaggregate, whose format test_kpl_interop.mjs
checks against aws-kinesis-agg).

Run: RIFFLE_BIN=build/riffle RIFFLE_KINESIS_PROBE=build/tests/client/riffle-kinesis-probe \
     python3 tests/client/test_producer_faults.py -v
"""

import collections
import json
import os
import random
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'support'))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from riffle_server import RiffleServer, require_own_server, unique_name  # noqa: E402
from kinesis_helpers import client, create_active, read_shard  # noqa: E402
import kinesis_probe  # noqa: E402

MAGIC = b'\xf3\x89\x9a\xc2'


class ProducerUnderFaults(unittest.TestCase):

    def setUp(self):
        require_own_server(self)

    def run_producer(self, server_args, aggregate, records=2000):
        with RiffleServer(in_memory=True, args=server_args) as server:
            kin = client(server.endpoint)
            name = unique_name('faults')
            create_active(kin, name, shards=3)
            rng = random.Random(23)
            sent = [{'partition_key': 'key-%d' % rng.randint(0, 10 ** 6),
                     'data': ('record %d ' % i).encode() + bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 64)))}
                    for i in range(records)]
            args = ['produce', server.endpoint, name] + (['--aggregate'] if aggregate else [])
            receipts, stats = kinesis_probe.run(args, sent, timeout=240)
            stats = json.loads(stats.strip().splitlines()[-1])
            self.assertTrue(all(r['ok'] for r in receipts), [r for r in receipts if not r['ok']][:3])
            self.assertEqual(len(receipts), len(sent))

            # Read back with boto3: every Kinesis record of every shard.
            stored = []
            for shard in kin.list_shards(StreamName=name)['Shards']:
                for r in read_shard(kin, name, shard['ShardId'], max_calls=500):
                    stored.append((shard['ShardId'], r))
            user_records = []
            for shard_id, r in stored:
                if r['Data'].startswith(MAGIC):
                    inner, _ = kinesis_probe.run(['deaggregate'], [{'partition_key': r['PartitionKey'], 'data': r['Data']}])
                    for u in inner:
                        user_records.append((shard_id, r['SequenceNumber'], u['sub_sequence_number'], u['data']))
                else:
                    user_records.append((shard_id, r['SequenceNumber'], 0, r['Data']))
            counts = collections.Counter(u[3] for u in user_records)
            duplicated = [d for d, c in counts.items() if c > 1]
            self.assertEqual(duplicated, [], 'records stored more than once')
            self.assertEqual(set(counts), {r['data'] for r in sent}, 'records missing')
            # Each receipt names where its record is.
            where = {u[3]: u[:3] for u in user_records}
            for r, receipt in zip(sent, receipts):
                self.assertEqual(where[r['data']],
                                 (receipt['shard_id'], receipt['sequence_number'], receipt['sub_sequence_number']))
            return stats, stored

    def test_failed_calls_and_entries_are_retried_exactly_once(self):
        stats, stored = self.run_producer(
            ['--inject-error', 'PutRecords=0.4', '--inject-record-failure', '0.3', '--inject-seed', '5'],
            aggregate=False)
        self.assertGreater(stats['retried_user_records'], 0, stats)
        self.assertEqual(len(stored), 2000)

    def test_aggregated_records_under_throttling(self):
        stats, stored = self.run_producer(
            ['--inject-error', 'PutRecords=0.3:ProvisionedThroughputExceededException',
             '--inject-record-failure', '0.3', '--inject-seed', '9'],
            aggregate=True, records=3000)
        self.assertGreater(stats['retried_user_records'], 0, stats)
        self.assertLess(len(stored), 3000)  # aggregated: fewer Kinesis records than user records


if __name__ == '__main__':
    unittest.main()
