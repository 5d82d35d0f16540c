"""Small boto3 helpers shared by the pip-python3 test files."""

import hashlib
import threading

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from riffle_server import wait_until

HASH_MAX = 2 ** 128 - 1


def client(endpoint, validate=False):
    """A boto3 Kinesis client; validate=False lets bad input reach the server."""
    return boto3.client(
        'kinesis', endpoint_url=endpoint, region_name='us-east-1',
        aws_access_key_id='AKIDTEST', aws_secret_access_key='secret',
        config=Config(parameter_validation=validate, retries={'max_attempts': 1}))


def hash_key(partition_key):
    """Kinesis routing key: MD5 of the UTF-8 partition key as a big-endian 128-bit int."""
    return int.from_bytes(hashlib.md5(partition_key.encode('utf-8')).digest(), 'big')


def shard_for(shards, key):
    """The id of the open shard whose HashKeyRange holds key."""
    for s in shards:
        r = s['HashKeyRange']
        if 'EndingSequenceNumber' not in s['SequenceNumberRange'] and \
                int(r['StartingHashKey']) <= key <= int(r['EndingHashKey']):
            return s['ShardId']
    raise AssertionError('no open shard holds hash key %d' % key)


def describe(kin, name):
    return kin.describe_stream(StreamName=name)['StreamDescription']


def wait_active(kin, name, timeout=15.0):
    """Poll DescribeStream until ACTIVE; returns the description."""
    def active():
        d = describe(kin, name)
        return d if d['StreamStatus'] == 'ACTIVE' else None
    return wait_until(active, timeout, what='stream %s ACTIVE' % name)


def create_active(kin, name, shards=1):
    kin.create_stream(StreamName=name, ShardCount=shards)
    return wait_active(kin, name)


def wait_gone(kin, name, timeout=15.0):
    def gone():
        try:
            describe(kin, name)
            return False
        except ClientError as e:
            return e.response['Error']['Code'] == 'ResourceNotFoundException'
    wait_until(gone, timeout, what='stream %s deleted' % name)


def read_shard(kin, name, shard_id, iterator_type='TRIM_HORIZON', max_calls=50, **kw):
    """All records from an iterator until a call returns none (or the shard ends)."""
    it = kin.get_shard_iterator(StreamName=name, ShardId=shard_id,
                                ShardIteratorType=iterator_type, **kw)['ShardIterator']
    out = []
    for _ in range(max_calls):
        resp = kin.get_records(ShardIterator=it)
        out += resp['Records']
        it = resp.get('NextShardIterator')
        if not resp['Records'] or not it:
            break
    return out


def error_code(exc):
    return exc.response['Error']['Code']


def error_message(exc):
    return exc.response['Error']['Message']


def at_once(*calls):
    """Runs the calls in threads released together; returns each one's result or ClientError."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(i):
        barrier.wait()
        try:
            results[i] = calls[i]()
        except ClientError as e:
            results[i] = e
    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return results
