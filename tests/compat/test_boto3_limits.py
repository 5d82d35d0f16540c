"""boto3 (pip python3): access-key accounts, --enforce-limits and fault injection.

Run: RIFFLE_BIN=build/riffle python3 tests/compat/test_boto3_limits.py -v
"""

import http.client
import json
import os
import subprocess
import sys
import unittest
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'support'))

import boto3  # noqa: E402
from botocore.config import Config  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402

from riffle_server import RiffleServer, require_own_server, unique_name  # noqa: E402
from kinesis_helpers import create_active, error_code, error_message, read_shard  # noqa: E402

SHARD0 = 'shardId-000000000000'
DEFAULT_ACCOUNT = '000000000000'
MIB = 1024 * 1024


def make_client(endpoint, key='AKIDTEST', retries=False):
    """retries=False: exactly one attempt; True: boto3's default retry behaviour."""
    config = Config(parameter_validation=False, retries={'total_max_attempts': 1}) if not retries \
        else Config(parameter_validation=False)
    return boto3.client('kinesis', endpoint_url=endpoint, region_name='us-east-1',
                        aws_access_key_id=key, aws_secret_access_key='secret', config=config)


class Burst:
    """Back-to-back calls over one keep-alive connection, without the client
    overhead of boto3, so that a burst reaches the server within a fraction
    of a second even on a loaded machine (Riffle does not verify signatures)."""

    def __init__(self, endpoint):
        self.conn = http.client.HTTPConnection(urllib.parse.urlsplit(endpoint).netloc, timeout=30)

    def close(self):
        self.conn.close()

    def __call__(self, operation, payload):
        body = json.dumps(payload)
        self.conn.request('POST', '/', body=body, headers={
            'Content-Type': 'application/x-amz-json-1.1',
            'X-Amz-Target': 'Kinesis_20131202.' + operation,
            'X-Amz-Date': '20260101T000000Z',
            'Authorization': 'AWS4-HMAC-SHA256 Credential=AKIDTEST/20260101/us-east-1/kinesis/aws4_request, '
                             'SignedHeaders=host;x-amz-date, Signature=00'})
        resp = self.conn.getresponse()
        return resp.status, json.loads(resp.read() or b'{}')


def call(fn, **kw):
    """The response, or the ClientError."""
    try:
        return fn(**kw)
    except ClientError as e:
        return e


def stored_data(kin, name, shards):
    out = []
    for s in shards:
        out += [r['Data'] for r in read_shard(kin, name, s['ShardId'], max_calls=200)]
    return out


class Accounts(unittest.TestCase):
    """--account maps access keys to accounts; streams of different accounts are apart."""

    @classmethod
    def setUpClass(cls):
        require_own_server(cls)
        cls.server = RiffleServer(in_memory=True, args=['--account', 'AKIDONE=111111111111',
                                                        '--account', 'AKIDTWO=222222222222']).start()
        cls.one = make_client(cls.server.endpoint, 'AKIDONE')
        cls.two = make_client(cls.server.endpoint, 'AKIDTWO')
        cls.other = make_client(cls.server.endpoint, 'AKIDUNMAPPED')

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def test_each_key_sees_its_own_account(self):
        name = unique_name('acct')
        d1 = create_active(self.one, name, 1)
        self.assertEqual(d1['StreamARN'], 'arn:aws:kinesis:us-east-1:111111111111:stream/' + name)
        e = call(self.two.describe_stream, StreamName=name)
        self.assertIsInstance(e, ClientError)
        self.assertEqual(error_code(e), 'ResourceNotFoundException')
        self.assertIn('under account 222222222222', error_message(e))
        d2 = create_active(self.two, name, 2)
        self.assertEqual(d2['StreamARN'], 'arn:aws:kinesis:us-east-1:222222222222:stream/' + name)
        self.assertEqual(len(self.one.describe_stream(StreamName=name)['StreamDescription']['Shards']), 1)

        self.one.put_record(StreamName=name, PartitionKey='k', Data=b'for-one')
        self.assertEqual(stored_data(self.one, name, d1['Shards']), [b'for-one'])
        self.assertEqual(stored_data(self.two, name, d2['Shards']), [])

        self.assertIn(name, self.one.list_streams()['StreamNames'])
        self.assertIn(name, self.two.list_streams()['StreamNames'])
        self.assertNotIn(name, self.other.list_streams()['StreamNames'])

    def test_unmapped_keys_use_the_default_account(self):
        name = unique_name('dflt')
        d = create_active(self.other, name, 1)
        self.assertEqual(d['StreamARN'], 'arn:aws:kinesis:us-east-1:%s:stream/%s' % (DEFAULT_ACCOUNT, name))
        self.assertNotIn(name, self.one.list_streams()['StreamNames'])

    def test_malformed_account_flags_are_refused(self):
        binary = os.environ['RIFFLE_BIN']
        for args in (['--account', 'AKID=12345'], ['--account', 'AKID'], ['--account', '=111111111111'],
                     ['--default-account', '12345678901x'], ['--inject-error', 'Nope=0.5'],
                     ['--inject-error', 'PutRecord=2'], ['--inject-record-failure', '0.5:ThrottlingException']):
            proc = subprocess.run([binary, 'serve', '--in-memory', '--port', '0'] + args,
                                  capture_output=True, text=True, timeout=20)
            self.assertNotEqual(proc.returncode, 0, args)
            self.assertNotIn('Riffle ready', proc.stdout, args)


def big_entries(count, size, key='pk'):
    return [{'Data': bytes([65 + i % 26]) * (size - len(key)), 'PartitionKey': key} for i in range(count)]


class EnforcedLimits(unittest.TestCase):
    """--enforce-limits: Kinesis's per-shard and control-plane rates."""

    @classmethod
    def setUpClass(cls):
        require_own_server(cls)
        cls.server = RiffleServer(in_memory=True, args=['--enforce-limits']).start()
        cls.kin = make_client(cls.server.endpoint)
        cls.retrying = make_client(cls.server.endpoint, retries=True)

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def test_put_records_entries_over_the_shard_rate_fail_alone(self):
        name = unique_name('lim')
        shards = create_active(self.retrying, name, 1)['Shards']
        r = self.kin.put_records(StreamName=name, Records=big_entries(4, MIB))
        failed = [e for e in r['Records'] if 'ErrorCode' in e]
        self.assertGreaterEqual(len(failed), 3, r['Records'])
        self.assertEqual(r['FailedRecordCount'], len(failed))
        self.assertIn('SequenceNumber', r['Records'][0])
        for e in failed:
            self.assertEqual(e['ErrorCode'], 'ProvisionedThroughputExceededException')
            self.assertEqual(e['ErrorMessage'], 'Rate exceeded for shard %s in stream %s under account %s.'
                             % (SHARD0, name, DEFAULT_ACCOUNT))
        self.assertEqual(len(stored_data(self.retrying, name, shards)), 4 - len(failed))

    def test_put_record_over_the_shard_rate_is_throttled(self):
        name = unique_name('lim')
        create_active(self.retrying, name, 1)
        outcomes = [call(self.kin.put_record, StreamName=name, PartitionKey='pk', Data=b'x' * (MIB - 2))
                    for _ in range(5)]
        errors = [o for o in outcomes if isinstance(o, ClientError)]
        self.assertTrue(errors, 'five 1 MiB records in a row must exceed 1 MiB/s')
        self.assertEqual(error_code(errors[0]), 'ProvisionedThroughputExceededException')
        self.assertEqual(error_message(errors[0]), 'Rate exceeded for shard %s in stream %s under account %s.'
                         % (SHARD0, name, DEFAULT_ACCOUNT))

    def test_default_retries_get_writes_through(self):
        name = unique_name('lim')
        shards = create_active(self.retrying, name, 1)['Shards']
        payloads = [bytes([97 + i]) * (256 * 1024) for i in range(6)]
        for p in payloads:
            self.retrying.put_record(StreamName=name, PartitionKey='pk', Data=p)
        self.assertEqual(stored_data(self.retrying, name, shards), payloads)

    def test_reads_after_a_large_get_records_are_throttled(self):
        name = unique_name('lim')
        create_active(self.retrying, name, 1)
        for i in range(3):
            self.retrying.put_record(StreamName=name, PartitionKey='pk', Data=bytes([97 + i]) * (MIB - 2))
        it = self.kin.get_shard_iterator(StreamName=name, ShardId=SHARD0,
                                         ShardIteratorType='TRIM_HORIZON')['ShardIterator']
        first = self.kin.get_records(ShardIterator=it)
        self.assertEqual(len(first['Records']), 3)
        e = call(self.kin.get_records, ShardIterator=first['NextShardIterator'])
        self.assertIsInstance(e, ClientError, '3 MiB read leaves the shard 1.5 s in debt')
        self.assertEqual(error_code(e), 'ProvisionedThroughputExceededException')
        self.assertEqual(error_message(e), 'Rate exceeded for Shard - %s/%s/%s' % (DEFAULT_ACCOUNT, name, SHARD0))
        # boto3's default retries wait the debt out. Their backoffs are random (r, 2r, 4r, 8r seconds
        # for uniform r): about one call in 300 gives up within the 1.5 s, so the call is repeated.
        answer = None
        for _ in range(4):
            outcome = call(self.retrying.get_records, ShardIterator=first['NextShardIterator'])
            if not isinstance(outcome, ClientError):
                answer = outcome
                break
            self.assertEqual(error_code(outcome), 'ProvisionedThroughputExceededException')
        self.assertIsNotNone(answer, 'four retrying GetRecords calls were all throttled')
        self.assertEqual(answer['Records'], [])

    def test_more_than_five_get_records_per_second_are_throttled(self):
        name = unique_name('lim')
        create_active(self.retrying, name, 1)
        it = self.kin.get_shard_iterator(StreamName=name, ShardId=SHARD0,
                                         ShardIteratorType='LATEST')['ShardIterator']
        burst = Burst(self.server.endpoint)
        try:
            outcomes = [burst('GetRecords', {'ShardIterator': it}) for _ in range(40)]
        finally:
            burst.close()
        refused = [body for status, body in outcomes if status != 200]
        self.assertTrue(refused, '40 GetRecords calls in a row must exceed 5/s')
        self.assertEqual(refused[0], {'__type': 'ProvisionedThroughputExceededException',
                                      'message': 'Rate exceeded for Shard - %s/%s/%s'
                                                 % (DEFAULT_ACCOUNT, name, SHARD0)})

    def test_describe_stream_over_ten_per_second_is_refused(self):
        name = unique_name('lim')
        create_active(self.retrying, name, 1)
        burst = Burst(self.server.endpoint)
        try:
            outcomes = [burst('DescribeStream', {'StreamName': name}) for _ in range(60)]
        finally:
            burst.close()
        refused = [body for status, body in outcomes if status != 200]
        self.assertTrue(refused, '60 DescribeStream calls in a row must exceed 10/s')
        self.assertEqual(refused[0], {'__type': 'LimitExceededException',
                                      'message': 'Rate exceeded for stream %s under account %s.'
                                                 % (name, DEFAULT_ACCOUNT)})
        for _ in range(15):  # boto3's default retries wait the limit out
            self.retrying.describe_stream(StreamName=name)

    def test_describe_limits_allows_one_call_per_second(self):
        outcomes = [call(self.kin.describe_limits) for _ in range(4)]
        errors = [o for o in outcomes if isinstance(o, ClientError)]
        self.assertTrue(errors, 'four DescribeLimits calls in a row must exceed 1/s')
        self.assertEqual(error_code(errors[0]), 'LimitExceededException')
        self.assertEqual(error_message(errors[0]), 'Rate exceeded for account %s.' % DEFAULT_ACCOUNT)


class NoLimitsByDefault(unittest.TestCase):
    """Without --enforce-limits the same traffic is never throttled."""

    @classmethod
    def setUpClass(cls):
        cls.server = RiffleServer(in_memory=True).start()
        cls.kin = make_client(cls.server.endpoint)

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def test_nothing_is_throttled(self):
        name = unique_name('free')
        shards = create_active(self.kin, name, 1)['Shards']
        r = self.kin.put_records(StreamName=name, Records=big_entries(4, MIB))
        self.assertEqual(r['FailedRecordCount'], 0)
        for _ in range(5):
            self.kin.put_record(StreamName=name, PartitionKey='pk', Data=b'x' * (MIB - 2))
        for _ in range(4):
            self.kin.describe_limits()
        it = self.kin.get_shard_iterator(StreamName=name, ShardId=SHARD0,
                                         ShardIteratorType='TRIM_HORIZON')['ShardIterator']
        self.assertEqual(len(self.kin.get_records(ShardIterator=it)['Records']), 9)
        burst = Burst(self.server.endpoint)
        try:
            statuses = [burst('DescribeStream', {'StreamName': name})[0] for _ in range(60)]
            statuses += [burst('GetRecords', {'ShardIterator': it})[0] for _ in range(40)]
        finally:
            burst.close()
        self.assertEqual(set(statuses), {200})


FAULT_ARGS = ['--inject-error', 'PutRecord=0.3', '--inject-error', 'ListStreams=1:ServiceUnavailable',
              '--inject-record-failure', '0.2', '--inject-seed', '7']


class InjectedFaults(unittest.TestCase):
    """--inject-error, --inject-record-failure and --inject-seed."""

    def setUp(self):
        require_own_server(self)
        self.server = RiffleServer(in_memory=True, args=FAULT_ARGS).start()
        self.kin = make_client(self.server.endpoint)

    def tearDown(self):
        self.server.close()

    def put_record_pattern(self, kin, name, n):
        return [isinstance(call(kin.put_record, StreamName=name, PartitionKey='k%d' % i, Data=b'%d' % i),
                           ClientError) for i in range(n)]

    def test_injected_call_errors_have_no_effect(self):
        name = unique_name('flt')
        shards = create_active(self.kin, name, 2)['Shards']
        outcomes = [call(self.kin.put_record, StreamName=name, PartitionKey='k%d' % i, Data=b'%d' % i)
                    for i in range(200)]
        errors = [o for o in outcomes if isinstance(o, ClientError)]
        # Fixed seed: the count is the same on every run; the bounds say "about 30%".
        self.assertGreater(len(errors), 30)
        self.assertLess(len(errors), 90)
        for e in errors:
            self.assertEqual(error_code(e), 'InternalFailure')
            self.assertEqual(e.response['ResponseMetadata']['HTTPStatusCode'], 500)
        stored = sorted(stored_data(self.kin, name, shards))
        expected = sorted(b'%d' % i for i, o in enumerate(outcomes) if not isinstance(o, ClientError))
        self.assertEqual(stored, expected)

        e = call(self.kin.list_streams)
        self.assertEqual(error_code(e), 'ServiceUnavailable')
        self.assertEqual(e.response['ResponseMetadata']['HTTPStatusCode'], 503)

    def test_the_seed_reproduces_the_failures(self):
        name = unique_name('flt')
        create_active(self.kin, name, 1)
        first = self.put_record_pattern(self.kin, name, 60)
        with RiffleServer(in_memory=True, args=FAULT_ARGS) as again:
            kin = make_client(again.endpoint)
            create_active(kin, name, 1)
            self.assertEqual(self.put_record_pattern(kin, name, 60), first)
        self.assertIn(True, first)
        self.assertIn(False, first)

    def test_failed_entries_are_not_stored(self):
        name = unique_name('flt')
        shards = create_active(self.kin, name, 4)['Shards']
        sent, ok = 0, []
        for batch in range(5):
            records = [{'Data': b'%d-%d' % (batch, i), 'PartitionKey': 'p%d' % i} for i in range(100)]
            r = self.kin.put_records(StreamName=name, Records=records)
            failed = [e for e in r['Records'] if 'ErrorCode' in e]
            self.assertEqual(r['FailedRecordCount'], len(failed))
            for rec, e in zip(records, r['Records']):
                if 'ErrorCode' in e:
                    self.assertEqual(e['ErrorCode'], 'ProvisionedThroughputExceededException')
                    self.assertRegex(e['ErrorMessage'], r'^Rate exceeded for shard shardId-\d{12} in stream %s '
                                     r'under account %s\.$' % (name, DEFAULT_ACCOUNT))
                    self.assertNotIn('SequenceNumber', e)
                else:
                    ok.append(rec['Data'])
            sent += len(records)
        self.assertGreater(sent - len(ok), 50)   # about 20% of 500
        self.assertLess(sent - len(ok), 150)
        self.assertEqual(sorted(stored_data(self.kin, name, shards)), sorted(ok))

    def test_a_retrying_producer_stores_every_record_once(self):
        name = unique_name('flt')
        shards = create_active(self.kin, name, 3)['Shards']
        pending = [{'Data': b'rec-%d' % i, 'PartitionKey': 'p%d' % i} for i in range(300)]
        rounds = 0
        while pending:
            rounds += 1
            self.assertLess(rounds, 50)
            r = self.kin.put_records(StreamName=name, Records=pending)
            pending = [rec for rec, e in zip(pending, r['Records']) if 'ErrorCode' in e]
        singles = [b'one-%d' % i for i in range(40)]
        for data in singles:
            for _ in range(50):
                if not isinstance(call(self.kin.put_record, StreamName=name, PartitionKey='s', Data=data),
                                  ClientError):
                    break
        self.assertGreater(rounds, 1)
        stored = sorted(stored_data(self.kin, name, shards))
        self.assertEqual(stored, sorted([b'rec-%d' % i for i in range(300)] + singles))


if __name__ == '__main__':
    unittest.main()
