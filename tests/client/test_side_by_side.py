"""libriffle-kinesis beside boto3 against the real binary: records put by one
are read by the other, byte for byte, with the same partition keys, explicit
hash keys, shards and sequence numbers (the library through
riffle-kinesis-probe).

Run: RIFFLE_BIN=build/riffle RIFFLE_KINESIS_PROBE=build/tests/client/riffle-kinesis-probe \
     python3 tests/client/test_side_by_side.py -v
"""

import os
import random
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'support'))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from riffle_server import RiffleServer, unique_name  # noqa: E402
from kinesis_helpers import HASH_MAX, client, create_active, read_shard  # noqa: E402
import kinesis_probe  # noqa: E402


def random_records(rng, n):
    out = []
    for i in range(n):
        data = bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 300)))
        if i % 50 == 0:
            data = bytes(range(256))  # every byte value
        record = {'partition_key': 'pk-%d-\u00e9\u4e2d' % rng.randint(0, 40), 'data': data}
        if i % 7 == 0:
            record['explicit_hash_key'] = str(rng.randint(0, HASH_MAX))
        out.append(record)
    return out


class SideBySide(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.server = RiffleServer(in_memory=True).start()
        cls.kin = client(cls.server.endpoint)
        cls.rng = random.Random(17)

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def boto3_read_all(self, name):
        out = []
        for shard in self.kin.list_shards(StreamName=name)['Shards']:
            for r in read_shard(self.kin, name, shard['ShardId'], max_calls=200):
                out.append({'shard_id': shard['ShardId'], 'sequence_number': r['SequenceNumber'],
                            'partition_key': r['PartitionKey'], 'data': r['Data']})
        return out

    def test_library_puts_boto3_reads(self):
        name = unique_name('lib-to-boto3')
        create_active(self.kin, name, shards=3)
        records = random_records(self.rng, 700)
        put, _ = kinesis_probe.run(['put', self.server.endpoint, name], records)
        self.assertEqual(len(put), len(records))
        read = {r['sequence_number']: r for r in self.boto3_read_all(name)}
        self.assertEqual(len(read), len(records))
        for sent, receipt in zip(records, put):
            got = read[receipt['sequence_number']]
            self.assertEqual(got['data'], sent['data'])
            self.assertEqual(got['partition_key'], sent['partition_key'])
            self.assertEqual(got['shard_id'], receipt['shard_id'])

    def test_boto3_puts_library_reads(self):
        name = unique_name('boto3-to-lib')
        create_active(self.kin, name, shards=3)
        records = random_records(self.rng, 700)
        receipts = []
        for start in range(0, len(records), 250):
            entries = []
            for r in records[start:start + 250]:
                entry = {'Data': r['data'], 'PartitionKey': r['partition_key']}
                if 'explicit_hash_key' in r:
                    entry['ExplicitHashKey'] = r['explicit_hash_key']
                entries.append(entry)
            resp = self.kin.put_records(StreamName=name, Records=entries)
            self.assertEqual(resp['FailedRecordCount'], 0)
            receipts += resp['Records']
        read, _ = kinesis_probe.run(['read', self.server.endpoint, name, '--raw'])
        by_sequence = {r['sequence_number']: r for r in read}
        self.assertEqual(len(by_sequence), len(records))
        for sent, receipt in zip(records, receipts):
            got = by_sequence[receipt['SequenceNumber']]
            self.assertEqual(got['data'], sent['data'])
            self.assertEqual(got['partition_key'], sent['partition_key'])
            self.assertEqual(got['shard_id'], receipt['ShardId'])

    def test_producer_receipts_match_what_boto3_reads(self):
        # Without aggregation every user record is its own Kinesis record.
        name = unique_name('producer')
        create_active(self.kin, name, shards=2)
        records = random_records(self.rng, 1200)
        receipts, _ = kinesis_probe.run(['produce', self.server.endpoint, name], records)
        self.assertTrue(all(r['ok'] for r in receipts))
        read = {r['sequence_number']: r for r in self.boto3_read_all(name)}
        self.assertEqual(len(read), len(records))
        for sent, receipt in zip(records, receipts):
            got = read[receipt['sequence_number']]
            self.assertEqual((got['data'], got['partition_key'], got['shard_id']),
                             (sent['data'], sent['partition_key'], receipt['shard_id']))
            self.assertFalse(receipt['aggregated'])


if __name__ == '__main__':
    unittest.main()
