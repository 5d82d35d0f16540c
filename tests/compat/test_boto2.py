"""boto 2.49 (Debian /usr/bin/python3): the original 13-method Kinesis client against the server.

Run: RIFFLE_BIN=build/riffle /usr/bin/python3 tests/compat/test_boto2.py -v
"""

import hashlib
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'support'))

from boto.kinesis import exceptions as kex  # noqa: E402
from boto.kinesis.layer1 import KinesisConnection  # noqa: E402
from boto.exception import JSONResponseError  # noqa: E402
from boto.regioninfo import RegionInfo  # noqa: E402

from riffle_server import RiffleServer, unique_name, wait_until  # noqa: E402

ACCOUNT = '000000000000'


def hash_key(pk):
    return int.from_bytes(hashlib.md5(pk.encode('utf-8')).digest(), 'big')


class Boto2(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.server = RiffleServer().start()
        conn = KinesisConnection(host='127.0.0.1', port=cls.server.port, is_secure=False,
                                 region=RegionInfo(name='us-east-1', endpoint='127.0.0.1'),
                                 aws_access_key_id='x', aws_secret_access_key='y')
        conn.auth_region_name = 'us-east-1'
        conn.auth_service_name = 'kinesis'
        cls.conn = conn

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def active(self, name, shards=1):
        self.conn.create_stream(name, shards)
        return wait_until(lambda: (lambda d: d if d['StreamStatus'] == 'ACTIVE' else None)(
            self.conn.describe_stream(name)['StreamDescription']), what='ACTIVE')

    def test_create_describe_list_delete(self):
        """create_stream / describe_stream / list_streams / delete_stream behave as on AWS, incl. paging arguments."""
        name = unique_name('b2')
        d = self.active(name, 3)
        self.assertEqual(d['StreamName'], name)
        self.assertEqual(d['StreamARN'], 'arn:aws:kinesis:us-east-1:%s:stream/%s' % (ACCOUNT, name))
        self.assertEqual([s['ShardId'] for s in d['Shards']], ['shardId-%012d' % i for i in range(3)])
        page = self.conn.describe_stream(name, limit=2)['StreamDescription']
        self.assertEqual(len(page['Shards']), 2)
        self.assertTrue(page['HasMoreShards'])
        rest = self.conn.describe_stream(name, exclusive_start_shard_id='shardId-000000000001')['StreamDescription']
        self.assertEqual([s['ShardId'] for s in rest['Shards']], ['shardId-000000000002'])
        self.assertFalse(rest['HasMoreShards'])
        self.assertIn(name, self.conn.list_streams()['StreamNames'])
        one = self.conn.list_streams(limit=1)
        self.assertEqual(len(one['StreamNames']), 1)
        after = self.conn.list_streams(exclusive_start_stream_name=name)['StreamNames']
        self.assertTrue(all(n > name for n in after))
        self.conn.delete_stream(name)
        wait_until(lambda: name not in self.conn.list_streams()['StreamNames'], what='deleted')

    def test_put_get_records_roundtrip(self):
        """put_record / put_records / get_shard_iterator / get_records round-trip text data (boto2 base64-decodes Data)."""
        name = unique_name('b2rec')
        shards = self.active(name, 2)['Shards']
        r = self.conn.put_record(name, 'hello', 'pk-1')
        want_shard = [s['ShardId'] for s in shards
                      if int(s['HashKeyRange']['StartingHashKey']) <= hash_key('pk-1')
                      <= int(s['HashKeyRange']['EndingHashKey'])][0]
        self.assertEqual(r['ShardId'], want_shard)
        r2 = self.conn.put_record(name, 'world', 'pk-1', sequence_number_for_ordering=r['SequenceNumber'])
        self.assertGreater(int(r2['SequenceNumber']), int(r['SequenceNumber']))
        batch = self.conn.put_records([{'Data': 'd%d' % i, 'PartitionKey': 'pk-1'} for i in range(3)], name)
        self.assertEqual(batch['FailedRecordCount'], 0)
        self.assertEqual(len(batch['Records']), 3)
        it = self.conn.get_shard_iterator(name, want_shard, 'TRIM_HORIZON')['ShardIterator']
        got = self.conn.get_records(it, limit=10)
        self.assertEqual([x['Data'] for x in got['Records']], ['hello', 'world', 'd0', 'd1', 'd2'])
        self.assertEqual([x['PartitionKey'] for x in got['Records']], ['pk-1'] * 5)
        self.assertIn('NextShardIterator', got)
        after = self.conn.get_shard_iterator(name, want_shard, 'AFTER_SEQUENCE_NUMBER',
                                             starting_sequence_number=r['SequenceNumber'])['ShardIterator']
        self.assertEqual(self.conn.get_records(after, limit=1)['Records'][0]['Data'], 'world')
        raw = self.conn.get_records(after, limit=1, b64_decode=False)['Records'][0]['Data']
        self.assertEqual(raw, 'd29ybGQ=')
        explicit = self.conn.put_record(name, 'e', 'pk-1', explicit_hash_key='0')
        self.assertEqual(explicit['ShardId'], 'shardId-000000000000')

    def test_split_merge(self):
        """split_shard then merge_shards produce the lineage AWS reports (ParentShardId / AdjacentParentShardId)."""
        name = unique_name('b2rs')
        self.active(name)
        self.conn.split_shard(name, 'shardId-000000000000', str(2 ** 127))
        shards = self.active_shards(name)
        self.assertEqual(shards['shardId-000000000001']['ParentShardId'], 'shardId-000000000000')
        self.assertIn('EndingSequenceNumber', shards['shardId-000000000000']['SequenceNumberRange'])
        self.conn.merge_shards(name, 'shardId-000000000001', 'shardId-000000000002')
        shards = self.active_shards(name)
        self.assertEqual(shards['shardId-000000000003']['ParentShardId'], 'shardId-000000000001')
        self.assertEqual(shards['shardId-000000000003']['AdjacentParentShardId'], 'shardId-000000000002')

    def active_shards(self, name):
        d = wait_until(lambda: (lambda d: d if d['StreamStatus'] == 'ACTIVE' else None)(
            self.conn.describe_stream(name)['StreamDescription']), what='ACTIVE')
        return {s['ShardId']: s for s in d['Shards']}

    def test_tags(self):
        """add_tags_to_stream / list_tags_for_stream (limit, exclusive_start_tag_key) / remove_tags_from_stream."""
        name = unique_name('b2tag')
        self.active(name)
        self.conn.add_tags_to_stream(name, {'a': '1', 'b': '2', 'c': '3'})
        page = self.conn.list_tags_for_stream(name, limit=2)
        self.assertEqual(len(page['Tags']), 2)
        self.assertTrue(page['HasMoreTags'])
        rest = self.conn.list_tags_for_stream(name, exclusive_start_tag_key=page['Tags'][-1]['Key'])
        self.assertEqual(sorted(t['Key'] for t in page['Tags'] + rest['Tags']), ['a', 'b', 'c'])
        self.conn.remove_tags_from_stream(name, ['a', 'c'])
        self.assertEqual(self.conn.list_tags_for_stream(name)['Tags'], [{'Key': 'b', 'Value': '2'}])

    def test_errors_map_to_boto2_exceptions(self):
        """AWS error types arrive as boto.kinesis.exceptions classes with status 400 and the AWS body."""
        name = unique_name('b2err')
        with self.assertRaises(kex.ResourceNotFoundException) as cm:
            self.conn.describe_stream(name)
        self.assertEqual(cm.exception.status, 400)
        self.assertEqual(cm.exception.body['message'], 'Stream %s under account %s not found.' % (name, ACCOUNT))
        self.active(name)
        with self.assertRaises(kex.ResourceInUseException):
            self.conn.create_stream(name, 1)
        with self.assertRaises(kex.InvalidArgumentException):
            self.conn.get_records('garbage-iterator')
        with self.assertRaises(kex.InvalidArgumentException):
            self.conn.merge_shards(name, 'shardId-000000000000', 'shardId-000000000000')
        with self.assertRaises(JSONResponseError) as cm:  # ValidationException has no boto2 class
            self.conn.create_stream('bad name!', 1)
        self.assertEqual(cm.exception.body['__type'].split('#')[-1], 'ValidationException')


class Boto2Signed(unittest.TestCase):
    """With --credentials: boto 2 signs `host` without the port (from region.endpoint); Riffle verifies the
    header as sent, so its signatures check out, and a wrong secret gets AWS's error (docs/security.md)."""

    def test_signatures_verified(self):
        import security_fixture as fx
        secured = fx.SecuredServer()
        try:
            def conn(key, secret):
                c = KinesisConnection(host='127.0.0.1', port=secured.server.port, is_secure=False,
                                      region=RegionInfo(name='us-east-1', endpoint='127.0.0.1'),
                                      aws_access_key_id=key, aws_secret_access_key=secret)
                c.auth_region_name = 'us-east-1'
                c.auth_service_name = 'kinesis'
                c.override_num_retries = 0
                return c
            good = conn('AKIDADMIN', 'admin-secret')
            good.create_stream('boto2-signed', 1)
            self.assertIn('boto2-signed', good.list_streams()['StreamNames'])
            with self.assertRaises(JSONResponseError) as cm:
                conn('AKIDADMIN', 'wrong').list_streams()
            self.assertEqual((cm.exception.status, cm.exception.body), (400, {
                '__type': 'InvalidSignatureException', 'message': fx.MISMATCH}))
        finally:
            secured.close()


if __name__ == '__main__':
    unittest.main()
