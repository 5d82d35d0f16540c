"""boto3 (pip python3): data plane — PutRecord(s), routing, iterators, GetRecords.

Run: RIFFLE_BIN=build/riffle python3 tests/compat/test_boto3_records.py -v
"""

import os
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'support'))

from botocore.exceptions import ClientError  # noqa: E402

from riffle_server import RiffleServer, unique_name  # noqa: E402
from kinesis_helpers import (HASH_MAX, client, create_active, error_code, error_message,  # noqa: E402
                             hash_key, read_shard, shard_for)

SHARD0, SHARD1 = 'shardId-000000000000', 'shardId-000000000001'


class Records(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.server = RiffleServer().start()
        cls.kin = client(cls.server.endpoint)

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def assertError(self, code, fn, *args, **kw):
        with self.assertRaises(ClientError) as cm:
            fn(*args, **kw)
        self.assertEqual(error_code(cm.exception), code, cm.exception.response)
        return error_message(cm.exception)

    def stream(self, shards=1):
        name = unique_name('rec')
        return name, create_active(self.kin, name, shards)['Shards']

    # -- writing ------------------------------------------------------------
    def test_put_record_routes_by_md5_of_partition_key(self):
        """PutRecord lands in the shard whose HashKeyRange holds md5(partition key) read as a big-endian 128-bit int."""
        name, shards = self.stream(4)
        for i in range(40):
            pk = 'key-%d' % i
            r = self.kin.put_record(StreamName=name, PartitionKey=pk, Data=b'v')
            self.assertEqual(r['ShardId'], shard_for(shards, hash_key(pk)), pk)
            self.assertRegex(r['SequenceNumber'], r'^\d{56}$')

    def test_unicode_partition_key_hashes_utf8(self):
        """A non-ASCII partition key is hashed over its UTF-8 bytes."""
        name, shards = self.stream(8)
        for pk in ('é', 'ключ', '键-キー', '\U0001F600'):
            r = self.kin.put_record(StreamName=name, PartitionKey=pk, Data=b'u')
            self.assertEqual(r['ShardId'], shard_for(shards, hash_key(pk)), pk)

    def test_explicit_hash_key_overrides_partition_key(self):
        """ExplicitHashKey decides the shard regardless of the partition key (edges 0 and 2^128-1 included)."""
        name, shards = self.stream(3)
        for shard in shards:
            for key in (shard['HashKeyRange']['StartingHashKey'], shard['HashKeyRange']['EndingHashKey']):
                pk = 'same-key'
                r = self.kin.put_record(StreamName=name, PartitionKey=pk, Data=b'e', ExplicitHashKey=key)
                self.assertEqual(r['ShardId'], shard['ShardId'], key)
        r = self.kin.put_records(StreamName=name, Records=[
            {'PartitionKey': 'p', 'Data': b'1', 'ExplicitHashKey': '0'},
            {'PartitionKey': 'p', 'Data': b'2', 'ExplicitHashKey': str(HASH_MAX)}])
        self.assertEqual([x['ShardId'] for x in r['Records']], [shards[0]['ShardId'], shards[-1]['ShardId']])

    def test_explicit_hash_key_out_of_range(self):
        """ExplicitHashKey 2^128 is InvalidArgumentException with AWS's exact text (kinesalite test/putRecord.js)."""
        name, _ = self.stream()
        key = str(2 ** 128)
        want = ('Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. '
                'Specified value was ' + key)
        self.assertEqual(self.assertError('InvalidArgumentException', self.kin.put_record, StreamName=name,
                                          PartitionKey='a', Data=b'', ExplicitHashKey=key), want)
        self.assertEqual(self.assertError('InvalidArgumentException', self.kin.put_records, StreamName=name,
                                          Records=[{'PartitionKey': 'a', 'Data': b'', 'ExplicitHashKey': key},
                                                   {'PartitionKey': 'a', 'Data': b''}]), want)

    def test_put_records_results_in_request_order(self):
        """PutRecords answers one entry per record in request order, with the routed shard and FailedRecordCount 0."""
        name, shards = self.stream(4)
        keys = ['pk-%d' % i for i in range(30)]
        resp = self.kin.put_records(StreamName=name, Records=[
            {'PartitionKey': k, 'Data': k.encode()} for k in keys])
        self.assertEqual(resp.get('FailedRecordCount', 0), 0)
        self.assertEqual(len(resp['Records']), len(keys))
        last = {}
        for k, entry in zip(keys, resp['Records']):
            self.assertNotIn('ErrorCode', entry)
            self.assertEqual(entry['ShardId'], shard_for(shards, hash_key(k)))
            seq = int(entry['SequenceNumber'])
            self.assertGreater(seq, last.get(entry['ShardId'], -1), 'request order = sequence order per shard')
            last[entry['ShardId']] = seq
        # What was written is what is read, shard by shard, in request order.
        for shard in shards:
            got = [r['Data'].decode() for r in read_shard(self.kin, name, shard['ShardId'])]
            self.assertEqual(got, [k for k, e in zip(keys, resp['Records']) if e['ShardId'] == shard['ShardId']])

    def test_put_records_too_many(self):
        """More than 500 records in one PutRecords is a ValidationException on the list length."""
        name, _ = self.stream()
        msg = self.assertError('ValidationException', self.kin.put_records, StreamName=name,
                               Records=[{'PartitionKey': 'a', 'Data': b'x'}] * 501)
        self.assertIn("at 'records' failed to satisfy constraint: Member must have length less than or equal to 500",
                      msg)

    def test_order_and_sequence_numbers_within_shard(self):
        """Records of one shard come back in write order with strictly increasing sequence numbers and intact fields."""
        name, _ = self.stream()
        written = []
        for i in range(25):
            data = bytes([i]) + os.urandom(8)
            r = self.kin.put_record(StreamName=name, PartitionKey='pk%d' % (i % 3), Data=data)
            written.append((r['SequenceNumber'], data, 'pk%d' % (i % 3)))
        seqs = [int(s) for s, _, _ in written]
        self.assertEqual(seqs, sorted(set(seqs)))
        got = read_shard(self.kin, name, SHARD0)
        self.assertEqual([(r['SequenceNumber'], r['Data'], r['PartitionKey']) for r in got], written)
        for r in got:
            self.assertIn('ApproximateArrivalTimestamp', r)

    def test_binary_data_round_trip(self):
        """Every byte value survives the base64 trip both ways, up to a 1 MiB record."""
        name, _ = self.stream()
        # The largest record: data plus partition key make exactly 1 MiB.
        blobs = [bytes(range(256)), b'\x00' * 10, os.urandom(1024 * 1024 - len('b'))]
        for b in blobs:
            self.kin.put_record(StreamName=name, PartitionKey='b', Data=b)
        self.assertEqual([r['Data'] for r in read_shard(self.kin, name, SHARD0)], blobs)

    def test_sequence_number_for_ordering(self):
        """A record put with SequenceNumberForOrdering=previous gets a greater sequence number."""
        name, _ = self.stream()
        prev = self.kin.put_record(StreamName=name, PartitionKey='o', Data=b'1')['SequenceNumber']
        for i in range(5):
            nxt = self.kin.put_record(StreamName=name, PartitionKey='o', Data=b'n',
                                      SequenceNumberForOrdering=prev)['SequenceNumber']
            self.assertGreater(int(nxt), int(prev))
            prev = nxt

    # -- iterators ----------------------------------------------------------
    def put_many(self, name, n, pk='k'):
        return [self.kin.put_record(StreamName=name, PartitionKey=pk, Data=b'%d' % i)['SequenceNumber']
                for i in range(n)]

    def test_trim_horizon_and_latest(self):
        """TRIM_HORIZON reads from the oldest record; LATEST reads only records written after the iterator."""
        name, _ = self.stream()
        before = self.put_many(name, 3)
        latest = self.kin.get_shard_iterator(StreamName=name, ShardId=SHARD0,
                                             ShardIteratorType='LATEST')['ShardIterator']
        self.assertEqual(self.kin.get_records(ShardIterator=latest)['Records'], [])
        after = self.kin.put_record(StreamName=name, PartitionKey='k', Data=b'new')['SequenceNumber']
        self.assertEqual([r['SequenceNumber'] for r in self.kin.get_records(ShardIterator=latest)['Records']], [after])
        self.assertEqual([r['SequenceNumber'] for r in read_shard(self.kin, name, SHARD0)], before + [after])

    def test_at_and_after_sequence_number(self):
        """AT_SEQUENCE_NUMBER starts with that record; AFTER_SEQUENCE_NUMBER starts with the next one."""
        name, _ = self.stream()
        seqs = self.put_many(name, 5)
        at = read_shard(self.kin, name, SHARD0, 'AT_SEQUENCE_NUMBER', StartingSequenceNumber=seqs[2])
        self.assertEqual([r['SequenceNumber'] for r in at], seqs[2:])
        after = read_shard(self.kin, name, SHARD0, 'AFTER_SEQUENCE_NUMBER', StartingSequenceNumber=seqs[2])
        self.assertEqual([r['SequenceNumber'] for r in after], seqs[3:])
        last = read_shard(self.kin, name, SHARD0, 'AFTER_SEQUENCE_NUMBER', StartingSequenceNumber=seqs[-1])
        self.assertEqual(last, [])

    def test_at_timestamp(self):
        """AT_TIMESTAMP starts at the first record whose arrival time is >= the timestamp; an old timestamp reads all."""
        name, _ = self.stream()
        first = self.put_many(name, 2)
        # boto3 sends Timestamp in whole seconds: put the next records in a later second.
        time.sleep(1.05 - time.time() % 1)
        boundary = int(time.time())
        second = self.put_many(name, 2)
        records = read_shard(self.kin, name, SHARD0)
        arrival = {r['SequenceNumber']: r['ApproximateArrivalTimestamp'] for r in records}
        self.assertLess(arrival[first[-1]].timestamp(), boundary)
        got = read_shard(self.kin, name, SHARD0, 'AT_TIMESTAMP', Timestamp=boundary)
        self.assertEqual([r['SequenceNumber'] for r in got], second)
        got = read_shard(self.kin, name, SHARD0, 'AT_TIMESTAMP', Timestamp=time.time() - 3600)
        self.assertEqual([r['SequenceNumber'] for r in got], first + second)
        # The epoch, and the first second after it: before every arrival.
        for ts in (0, 1):
            got = read_shard(self.kin, name, SHARD0, 'AT_TIMESTAMP', Timestamp=ts)
            self.assertEqual([r['SequenceNumber'] for r in got], first + second)

    def test_sequence_number_of_other_shard_rejected(self):
        """A sequence number issued by shard 1 used on shard 0 is InvalidArgumentException (AWS text, kinesalite test/getShardIterator.js)."""
        name, shards = self.stream(2)
        seq = self.kin.put_record(StreamName=name, PartitionKey='x', Data=b'1',
                                  ExplicitHashKey=shards[1]['HashKeyRange']['StartingHashKey'])['SequenceNumber']
        for kind in ('AT_SEQUENCE_NUMBER', 'AFTER_SEQUENCE_NUMBER'):
            msg = self.assertError('InvalidArgumentException', self.kin.get_shard_iterator, StreamName=name,
                                   ShardId=SHARD0, ShardIteratorType=kind, StartingSequenceNumber=seq)
            self.assertEqual(msg, 'Invalid StartingSequenceNumber. It encodes shardId-000000000001, '
                                  'while it was used in a call to a shard with shardId-000000000000')

    def test_sequence_number_type_needs_sequence_number(self):
        """AT_SEQUENCE_NUMBER without StartingSequenceNumber is InvalidArgumentException."""
        name, _ = self.stream()
        msg = self.assertError('InvalidArgumentException', self.kin.get_shard_iterator, StreamName=name,
                               ShardId=SHARD0, ShardIteratorType='AT_SEQUENCE_NUMBER')
        self.assertIn('StartingSequenceNumber', msg)

    # -- reading ------------------------------------------------------------
    def test_get_records_limit_and_next_iterator(self):
        """GetRecords returns at most Limit records and a NextShardIterator that continues where it stopped."""
        name, _ = self.stream()
        seqs = self.put_many(name, 7)
        it = self.kin.get_shard_iterator(StreamName=name, ShardId=SHARD0,
                                         ShardIteratorType='TRIM_HORIZON')['ShardIterator']
        got = []
        for _ in range(4):
            resp = self.kin.get_records(ShardIterator=it, Limit=2)
            self.assertLessEqual(len(resp['Records']), 2)
            self.assertIn('MillisBehindLatest', resp)
            self.assertGreaterEqual(resp['MillisBehindLatest'], 0)
            got += [r['SequenceNumber'] for r in resp['Records']]
            it = resp['NextShardIterator']
        self.assertEqual(got, seqs)
        tip = self.kin.get_records(ShardIterator=it)
        self.assertEqual(tip['Records'], [])
        self.assertEqual(tip['MillisBehindLatest'], 0)
        self.assertIn('NextShardIterator', tip)

    def test_iterator_is_reusable(self):
        """The same shard iterator can be read twice and gives the same records (GetRecords does not consume it)."""
        name, _ = self.stream()
        self.put_many(name, 3)
        it = self.kin.get_shard_iterator(StreamName=name, ShardId=SHARD0,
                                         ShardIteratorType='TRIM_HORIZON')['ShardIterator']
        a = self.kin.get_records(ShardIterator=it)['Records']
        b = self.kin.get_records(ShardIterator=it)['Records']
        self.assertEqual(len(a), 3)
        self.assertEqual(a, b)

    def test_garbage_iterator(self):
        """A shard iterator that is not one is InvalidArgumentException 'Invalid ShardIterator.' (kinesalite test/getRecords.js)."""
        msg = self.assertError('InvalidArgumentException', self.kin.get_records, ShardIterator='not-an-iterator')
        self.assertEqual(msg, 'Invalid ShardIterator.')

    def test_tampered_iterator(self):
        """Changing characters of a real iterator makes it invalid (InvalidArgumentException), not another position."""
        name, _ = self.stream()
        self.put_many(name, 1)
        it = self.kin.get_shard_iterator(StreamName=name, ShardId=SHARD0,
                                         ShardIteratorType='TRIM_HORIZON')['ShardIterator']
        self.assertLessEqual(len(it), 512)
        for pos in (len(it) // 2, len(it) - 5, 3):
            c = it[pos]
            bad = it[:pos] + ('B' if c != 'B' else 'C') + it[pos + 1:]
            self.assertError('InvalidArgumentException', self.kin.get_records, ShardIterator=bad)

    def test_get_records_limit_validation(self):
        """GetRecords Limit above 10000 is a ValidationException."""
        name, _ = self.stream()
        it = self.kin.get_shard_iterator(StreamName=name, ShardId=SHARD0,
                                         ShardIteratorType='LATEST')['ShardIterator']
        msg = self.assertError('ValidationException', self.kin.get_records, ShardIterator=it, Limit=10001)
        self.assertIn("Value '10001' at 'limit' failed to satisfy constraint: "
                      "Member must have value less than or equal to 10000", msg)


if __name__ == '__main__':
    unittest.main()
