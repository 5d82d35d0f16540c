#!/usr/bin/env python3
"""Writes the hand-made seed corpora of fuzz/corpus/<harness>/ (real Kinesis
requests as the SDKs send them, and a few broken ones). Run it after changing
a harness's input format; libFuzzer finds the rest. Deterministic."""
import base64
import hashlib
import hmac
import json
import pathlib
import struct

ROOT = pathlib.Path(__file__).resolve().parent / 'corpus'
ARN = 'arn:aws:kinesis:us-east-1:000000000000:stream/fuzz'
AUTH = ('AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261125/us-east-1/kinesis/aws4_request, '
        'SignedHeaders=content-type;host;x-amz-date;x-amz-target, '
        'Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7')

# (operation, body) pairs: every operation, on the harness's stream "fuzz".
REQUESTS = [
    ('CreateStream', {'StreamName': 's1', 'ShardCount': 3}),
    ('CreateStream', {'StreamName': 'od', 'StreamModeDetails': {'StreamMode': 'ON_DEMAND'}}),
    ('DescribeStream', {'StreamName': 'fuzz', 'Limit': 1, 'ExclusiveStartShardId': 'shardId-000000000000'}),
    ('DescribeStreamSummary', {'StreamARN': ARN}),
    ('ListStreams', {'Limit': 2, 'ExclusiveStartStreamName': 'a'}),
    ('ListShards', {'StreamName': 'fuzz', 'MaxResults': 1,
                    'ShardFilter': {'Type': 'AFTER_SHARD_ID', 'ShardId': 'shardId-000000000000'}}),
    ('ListShards', {'NextToken': 'AAAAAAAAAAAAAAAAAAAAAA'}),
    ('PutRecord', {'StreamName': 'fuzz', 'Data': 'aGVsbG8gd29ybGQ=', 'PartitionKey': 'pk-1'}),
    ('PutRecord', {'StreamARN': ARN, 'Data': 'AA==', 'PartitionKey': 'p', 'ExplicitHashKey': '170141183460469231731687303715884105728',
                   'SequenceNumberForOrdering': '49590338271490256608559692538361571095921575989136588898'}),
    ('PutRecords', {'StreamName': 'fuzz', 'Records': [
        {'Data': 'YQ==', 'PartitionKey': 'a'}, {'Data': 'Yg==', 'PartitionKey': 'b', 'ExplicitHashKey': '0'}]}),
    ('GetShardIterator', {'StreamName': 'fuzz', 'ShardId': 'shardId-000000000001', 'ShardIteratorType': 'LATEST'}),
    ('GetShardIterator', {'StreamName': 'fuzz', 'ShardId': '0', 'ShardIteratorType': 'AT_TIMESTAMP',
                          'Timestamp': 1764108000.5}),
    ('GetShardIterator', {'StreamName': 'fuzz', 'ShardId': 'shardId-000000000000',
                          'ShardIteratorType': 'AFTER_SEQUENCE_NUMBER',
                          'StartingSequenceNumber': '49590338271490256608559692538361571095921575989136588898'}),
    ('GetRecords', {'ShardIterator': '@ITER@', 'Limit': 10}),
    ('GetRecords', {'ShardIterator': '@ITER@', 'StreamARN': ARN}),
    ('SplitShard', {'StreamName': 'fuzz', 'ShardToSplit': 'shardId-000000000000',
                    'NewStartingHashKey': '85070591730234615865843651857942052864'}),
    ('MergeShards', {'StreamName': 'fuzz', 'ShardToMerge': 'shardId-000000000000',
                     'AdjacentShardToMerge': 'shardId-000000000001'}),
    ('UpdateShardCount', {'StreamName': 'fuzz', 'TargetShardCount': 4, 'ScalingType': 'UNIFORM_SCALING'}),
    ('AddTagsToStream', {'StreamName': 'fuzz', 'Tags': {'k': 'v', 'team': 'data'}}),
    ('ListTagsForStream', {'StreamName': 'fuzz', 'Limit': 1, 'ExclusiveStartTagKey': 'a'}),
    ('RemoveTagsFromStream', {'StreamName': 'fuzz', 'TagKeys': ['k']}),
    ('TagResource', {'ResourceARN': ARN, 'Tags': {'a': 'b'}}),
    ('UntagResource', {'ResourceARN': ARN, 'TagKeys': ['a']}),
    ('ListTagsForResource', {'ResourceARN': ARN}),
    ('IncreaseStreamRetentionPeriod', {'StreamName': 'fuzz', 'RetentionPeriodHours': 48}),
    ('DecreaseStreamRetentionPeriod', {'StreamName': 'fuzz', 'RetentionPeriodHours': 24}),
    ('EnableEnhancedMonitoring', {'StreamName': 'fuzz', 'ShardLevelMetrics': ['IncomingBytes', 'ALL']}),
    ('DisableEnhancedMonitoring', {'StreamName': 'fuzz', 'ShardLevelMetrics': ['ALL']}),
    ('StartStreamEncryption', {'StreamName': 'fuzz', 'EncryptionType': 'KMS', 'KeyId': 'alias/aws/kinesis'}),
    ('StopStreamEncryption', {'StreamName': 'fuzz', 'EncryptionType': 'KMS', 'KeyId': 'alias/aws/kinesis'}),
    ('RegisterStreamConsumer', {'StreamARN': ARN, 'ConsumerName': 'c1'}),
    ('DescribeStreamConsumer', {'StreamARN': ARN, 'ConsumerName': 'c1'}),
    ('ListStreamConsumers', {'StreamARN': ARN, 'MaxResults': 1}),
    ('DeregisterStreamConsumer', {'ConsumerARN': ARN + '/consumer/c1:1764108000'}),
    ('PutResourcePolicy', {'ResourceARN': ARN, 'Policy': '{"Version":"2012-10-17","Statement":[]}'}),
    ('GetResourcePolicy', {'ResourceARN': ARN}),
    ('DeleteResourcePolicy', {'ResourceARN': ARN}),
    ('DescribeLimits', {}),
    ('DeleteStream', {'StreamName': 'fuzz', 'EnforceConsumerDeletion': True}),
]
BROKEN_BODIES = [b'', b'{', b'[]', b'null', b'{"StreamName":1}', b'{"StreamName":"fuzz","ShardCount":"1"}',
                 b'{"Records":[{"Data":"a"}]}', b'{"Data":"a===","PartitionKey":"p","StreamName":"fuzz"}',
                 b'{"StreamName":"\\u0000\\ud800"}', b'{"Limit":1e400}', b'{"a":' * 40]

# The wire_decode harness indexes this list (Empty first, then every input of
# the model in order); keep in sync with wire_decode_fuzzer.cc.
WIRE_INPUTS = ['Empty', 'AddTagsToStream', 'CreateStream', 'DecreaseStreamRetentionPeriod',
               'DeleteResourcePolicy', 'DeleteStream', 'DeregisterStreamConsumer', 'DescribeAccountSettings',
               'DescribeLimits', 'DescribeStreamConsumer', 'DescribeStream', 'DescribeStreamSummary',
               'DisableEnhancedMonitoring', 'EnableEnhancedMonitoring', 'GetRecords', 'GetResourcePolicy',
               'GetShardIterator', 'IncreaseStreamRetentionPeriod', 'ListShards', 'ListStreamConsumers',
               'ListStreams', 'ListTagsForResource', 'ListTagsForStream', 'MergeShards', 'PutRecord',
               'PutRecords', 'PutResourcePolicy', 'RegisterStreamConsumer', 'RemoveTagsFromStream',
               'SplitShard', 'StartStreamEncryption', 'StopStreamEncryption', 'SubscribeToShard',
               'TagResource', 'UntagResource', 'UpdateAccountSettings', 'UpdateMaxRecordSize',
               'UpdateShardCount', 'UpdateStreamMode', 'UpdateStreamWarmThroughput']

# wire::kModelOperations: the model's operations, sorted.
MODEL_OPERATIONS = sorted(op for op in WIRE_INPUTS if op != 'Empty')


def body(obj):
    return json.dumps(obj, separators=(',', ':')).encode()


def cbor(value):
    """A minimal CBOR encoder for seeds (definite lengths; bytes, text, ints,
    floats, bools, None, lists, dicts; ('tag', n, value) for a tag)."""
    def head(major, n):
        if n < 24:
            return bytes([major << 5 | n])
        for extra, fmt in ((24, '>B'), (25, '>H'), (26, '>I'), (27, '>Q')):
            if n < 1 << (8 * struct.calcsize(fmt)):
                return bytes([major << 5 | extra]) + struct.pack(fmt, n)
        raise ValueError(n)
    if value is None:
        return b'\xf6'
    if value is True:
        return b'\xf5'
    if value is False:
        return b'\xf4'
    if isinstance(value, tuple) and value[0] == 'tag':
        return head(6, value[1]) + cbor(value[2])
    if isinstance(value, int):
        return head(0, value) if value >= 0 else head(1, -1 - value)
    if isinstance(value, float):
        return b'\xfb' + struct.pack('>d', value)
    if isinstance(value, bytes):
        return head(2, len(value)) + value
    if isinstance(value, str):
        raw = value.encode()
        return head(3, len(raw)) + raw
    if isinstance(value, list):
        return head(4, len(value)) + b''.join(cbor(v) for v in value)
    if isinstance(value, dict):
        return head(5, len(value)) + b''.join(cbor(k) + cbor(v) for k, v in value.items())
    raise TypeError(type(value))


def cbor_body(obj):
    """A JSON-shaped request as the Java SDK sends it in CBOR: Data as a byte
    string, timestamps as tag 1 + epoch milliseconds."""
    def convert(key, v):
        if key == 'Data' and isinstance(v, str):
            return base64.b64decode(v)
        if key == 'Timestamp' and isinstance(v, float):
            return ('tag', 1, int(v * 1000))
        if isinstance(v, dict):
            return {k: convert(k, x) for k, x in v.items()}
        if isinstance(v, list):
            return [convert(key, x) for x in v]
        return v
    return cbor(convert(None, obj))


def write(harness, name, data):
    d = ROOT / harness
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_bytes(data)


def http1_request(operation, payload, extra=b''):
    return (b'POST / HTTP/1.1\r\nHost: localhost:4567\r\nContent-Type: application/x-amz-json-1.1\r\n'
            b'X-Amz-Target: Kinesis_20131202.' + operation.encode() + b'\r\nX-Amz-Date: 20261125T220000Z\r\n'
            b'Authorization: ' + AUTH.encode() + b'\r\n' + extra +
            b'Content-Length: ' + str(len(payload)).encode() + b'\r\n\r\n' + payload)


def hpack_literal(name, value):
    # Literal header field without indexing, new name, no Huffman (RFC 7541 6.2.2).
    assert len(name) < 127 and len(value) < 127
    return b'\x00' + bytes([len(name)]) + name + bytes([len(value)]) + value


def frame(kind, flags, stream, payload):
    return struct.pack('>I', len(payload))[1:] + bytes([kind, flags]) + struct.pack('>I', stream) + payload


def h2_request(stream, operation, payload):
    headers = b''.join(hpack_literal(n, v) for n, v in [
        (b':method', b'POST'), (b':path', b'/'), (b':scheme', b'http'), (b':authority', b'localhost'),
        (b'content-type', b'application/x-amz-json-1.1'),
        (b'x-amz-target', b'Kinesis_20131202.' + operation.encode()),
        (b'x-amz-date', b'20261125T220000Z'),
        (b'authorization', b'AWS4-HMAC-SHA256 Credential=AKID/20261125/us-east-1/kinesis/aws4_request, '
                           b'SignedHeaders=host, Signature=00')])
    return frame(1, 0x4, stream, headers) + frame(0, 0x1, stream, payload)


def main():
    for i, (op, obj) in enumerate(REQUESTS):
        write('handlers', f'{i:02d}-{op}', op.encode() + b' ' + body(obj))
        idx = WIRE_INPUTS.index(op)
        write('wire_decode', f'{i:02d}-{op}', bytes([idx]) + body(obj))
    for i, b in enumerate(BROKEN_BODIES):
        write('handlers', f'broken-{i:02d}', b'PutRecords ' + b)
        write('wire_decode', f'broken-{i:02d}', bytes([WIRE_INPUTS.index('PutRecords')]) + b)
    # CBOR: the same requests as the Java SDK v2 encodes them; the first byte
    # is the operation's index in the model (wire::kModelOperations, sorted).
    for i, (op, obj) in enumerate(REQUESTS):
        write('cbor', f'{i:02d}-{op}', bytes([MODEL_OPERATIONS.index(op)]) + cbor_body(obj))
    write('cbor', 'indefinite', bytes([MODEL_OPERATIONS.index('PutRecords')]) +
          b'\xbf\x6aStreamName\x64fuzz\x67Records\x9f\xbf\x64Data\x5f\x41a\x41b\xff'
          b'\x6cPartitionKey\x61p\xff\xff\xff')
    write('cbor', 'half-float', bytes([MODEL_OPERATIONS.index('ListStreams')]) + b'\xa1\x65Limit\xf9\x3c\x00')
    # Event-stream framing: NUL-separated header name, value, ..., payload.
    write('event_stream', 'subscribe-event', b':event-type\0SubscribeToShardEvent\0:content-type\0'
          b'application/json\0:message-type\0event\0{"Records":[],"MillisBehindLatest":0}')
    write('event_stream', 'initial-response', b':event-type\0initial-response\0{}')
    write('event_stream', 'payload-only', b'\x00\x01\x02')
    # A sequence: create, write, read, reshard, delete.
    seq = [('CreateStream', {'StreamName': 'q', 'ShardCount': 2}),
           ('PutRecord', {'StreamName': 'q', 'Data': 'eA==', 'PartitionKey': 'x'}),
           ('GetRecords', {'ShardIterator': '@ITER@'}),
           ('SplitShard', {'StreamName': 'q', 'ShardToSplit': 'shardId-000000000001',
                           'NewStartingHashKey': '200000000000000000000000000000000000000'}),
           ('DeleteStream', {'StreamName': 'q'})]
    write('handlers', 'sequence', b'\0'.join(op.encode() + b' ' + body(obj) for op, obj in seq))

    write('http1', 'put-record', http1_request('PutRecord', body(REQUESTS[7][1])))
    write('http1', 'list-streams-pipelined',
          http1_request('ListStreams', b'{}') + http1_request('DescribeLimits', b'{}'))
    write('http1', 'chunked', b'POST / HTTP/1.1\r\nHost: h\r\nContent-Type: application/x-amz-json-1.1\r\n'
          b'X-Amz-Target: Kinesis_20131202.ListStreams\r\nAuthorization: ' + AUTH.encode() +
          b'\r\nX-Amz-Date: 20261125T220000Z\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n')
    write('http1', 'expect-continue', http1_request('DescribeLimits', b'{}', b'Expect: 100-continue\r\n'))
    write('http1', 'http10-get', b'GET /?Action=ListStreams HTTP/1.0\r\n\r\n')
    write('http1', 'no-auth', b'POST / HTTP/1.1\r\nHost: h\r\nContent-Type: application/x-amz-json-1.1\r\n'
          b'X-Amz-Target: Kinesis_20131202.ListStreams\r\nContent-Length: 2\r\n\r\n{}')
    write('http1', 'cbor', b'POST / HTTP/1.1\r\nHost: h\r\nContent-Type: application/x-amz-cbor-1.1\r\n'
          b'X-Amz-Target: Kinesis_20131202.ListStreams\r\nContent-Length: 1\r\n\r\n\xa0')
    write('http1', 'query-auth', b'POST /?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20261125'
          b'%2Fus-east-1%2Fkinesis%2Faws4_request HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\n'
          b'X-Amz-Target: Kinesis_20131202.ListStreams\r\nContent-Length: 2\r\n\r\n{}')

    settings = frame(4, 0, 0, struct.pack('>HI', 3, 100) + struct.pack('>HI', 4, 65535))
    write('http2', 'settings-only', settings)
    write('http2', 'list-streams', settings + frame(4, 1, 0, b'') + h2_request(1, 'ListStreams', b'{}'))
    write('http2', 'two-streams', settings + h2_request(1, 'PutRecord', body(REQUESTS[7][1])) +
          h2_request(3, 'DescribeLimits', b'{}'))
    write('http2', 'control-frames', settings + frame(6, 0, 0, b'12345678') + frame(8, 0, 0, b'\x00\x01\x00\x00') +
          h2_request(1, 'ListStreams', b'{}') + frame(3, 0, 1, b'\x00\x00\x00\x08') +
          frame(7, 0, 0, b'\x00\x00\x00\x00\x00\x00\x00\x00'))

    write('sigv4_header', 'header', b'\x01' + AUTH.encode())
    write('sigv4_header', 'other-region', b'\x01' + AUTH.replace('us-east-1', 'eu-west-1').encode())
    write('sigv4_header', 'date-only', b'\x02AWS4-HMAC-SHA256 Credential=A/2/r/kinesis/aws4_request, '
          b'SignedHeaders=host, Signature=1')
    write('sigv4_header', 'incomplete', b'\x00AWS4-HMAC-SHA256 Credential=')
    write('sigv4_header', 'query', b'\x01\n/?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20261125'
          b'%2Fus-east-1%2Fkinesis%2Faws4_request&X-Amz-Date=20261125T220000Z&X-Amz-SignedHeaders=host'
          b'&X-Amz-Signature=00')

    for i, text in enumerate([b'', b'aGVsbG8=', b'AA==', b'AAE=', b'////', b'abc', b'ab=c', b'AB==',
                              base64.b64encode(bytes(range(256)))]):
        write('base64', f'{i:02d}', text)

    secret = b'fuzz-secret-0123456789abcdef'  # as in shard_iterator_fuzzer.cc
    for i, (inc, shard, pos, name) in enumerate([(1, 0, 0, b'fuzz'), (7, 3, 1 << 40, b's' * 128)]):
        payload = (b'\x01' + struct.pack('>QIQQ', inc, shard, pos, 1764108000000) + b'\x0c000000000000' +
                   bytes([len(name)]) + name)
        mac = hmac.new(secret, payload, hashlib.sha256).digest()[:16]
        token = base64.urlsafe_b64encode(payload + mac).rstrip(b'=')
        write('shard_iterator', f'iterator-{i}', b'\x00' + token)
        write('shard_iterator', f'sealed-{i}', b'\x02' + payload)
    write('shard_iterator', 'open-garbage', b'\x01AAAA')

    for i, text in enumerate([b'49590338271490256608559692538361571095921575989136588898',
                              b'20000000000000000000000000000000000000000000000000000002', b'0', b'1' * 60,
                              b'340282366920938463463374607431768211455']):
        write('sequence_number', f'{i:02d}', text)

    # aggregation: a KPL AggregatedRecord message (the harness adds magic and MD5).
    def field(number, payload):
        return bytes([number << 3 | 2, len(payload)]) + payload
    record_a = b'\x08\x00' + field(3, b'hello')
    record_b = b'\x08\x01\x10\x00' + field(3, b'world')
    write('aggregation', 'two-records', field(1, b'pk-a') + field(1, b'pk-b') +
          field(2, b'170141183460469231731687303715884105728') + field(3, record_a) + field(3, record_b))
    write('aggregation', 'tag-and-unknown', field(1, b'k') + b'\x48\x2a' +
          field(3, b'\x08\x00' + field(4, field(1, b't') + field(2, b'v')) + field(3, b'x')))
    write('aggregation', 'bad-index', field(1, b'k') + field(3, b'\x08\x05' + field(3, b'x')))

    # store_codec: selector byte, then a value (see store_codec_fuzzer.cc).
    batch = struct.pack('>Q', 1764108000000) + b'\x02' + b'\x02pk\x05hello' + b'\x01q\x00'
    write('store_codec', 'batch-crc-fixed', b'\x00\x01' + batch)
    write('store_codec', 'u64', b'\x04' + struct.pack('>Q', 42))
    # Stream records (docs/storage-format.md, "Stream record, format version 1/2/3").
    def string(b):
        return bytes([len(b)]) + b
    hash_lo, hash_mid, hash_hi = bytes(16), (1 << 127).to_bytes(16, 'big'), b'\xff' * 16
    shards = (b'\x03' +
              b'\x00\x04' + hash_lo + hash_hi + b'\x00' + struct.pack('>q', 1) + b'\x05' + struct.pack('>q', 2) +
              b'\x01\x01\x00' + hash_lo + (hash_mid[:15] + b'\xfe') + b'\x05' + struct.pack('>q', 2) +
              b'\x02\x01\x00' + hash_mid + hash_hi + b'\x05' + struct.pack('>q', 2))
    v1 = (string(b'000000000000') + string(b'us-east-1') + string(b'fuzz') + b'\x07' + b'\x02' +
          struct.pack('>qq', 1764108000000, 0) +
          b'\x01\x01\x01\x00' + hash_mid +  # a pending split of shard 1
          b'\x18' + b'\x01' + string(b'k') + string(b'v') + shards)
    write('store_codec', 'stream-v1', b'\x02\x01' + v1)
    write('store_codec', 'stream-v2', b'\x02\x02' + v1 + b'\x03\x01' + string(b'alias/aws/kinesis'))
    write('store_codec', 'stream-v3', b'\x02\x03' + v1 + b'\x00\x00' + string(b'') + string(b'{"Version":"1"}'))
    consumer = b'\x07' + string(b'c1') + struct.pack('>q', 1764108000000) + b'\x02' + struct.pack('>q', 0)
    write('store_codec', 'consumer-v1', b'\x03\x01' + consumer)
    write('store_codec', 'consumer-v2', b'\x03\x02' + consumer + b'\x01' + string(b'k') + string(b'v') + string(b''))


if __name__ == '__main__':
    main()
