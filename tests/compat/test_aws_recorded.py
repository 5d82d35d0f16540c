"""Answers recorded from real Kinesis that Riffle repeats exactly: empty output
bodies, DeleteStream of a CREATING stream, tag characters per operation,
MergeShards order, sequence-number edge cases and the application/json
envelope (CBOR's empty bodies: test_cbor.py). The texts come from kinesalite's tests, which were recorded against
AWS (test/addTagsToStream.js, removeTagsFromStream.js, mergeShards.js,
getShardIterator.js, putRecord.js, connection.js).

Run: RIFFLE_BIN=build/riffle python3 tests/compat/test_aws_recorded.py -v
"""

import http.client
import json
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'support'))

from botocore.exceptions import ClientError  # noqa: E402

from riffle_server import RiffleServer, unique_name  # noqa: E402
from kinesis_helpers import client, create_active, error_code, error_message  # noqa: E402

ACCOUNT = '000000000000'
AUTH = ('AWS4-HMAC-SHA256 Credential=AKID/20150101/us-east-1/kinesis/aws4_request, '
        'SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=abcd')
JSON_11 = 'application/x-amz-json-1.1'
ILLEGAL = ("because some tags contained illegal characters. The allowed characters are "
           "Unicode letters, white-spaces, '_',',','/','=','+','-','@'.")
INVALID = 'Some tags contain invalid characters. Valid characters: Unicode letters, digits, white space, _ . / = + - % @.'


def raw(port, target, body, content_type=JSON_11):
    """POSTs `body` with a well-formed (unchecked) signature; returns (status, content type, body bytes)."""
    conn = http.client.HTTPConnection('127.0.0.1', port, timeout=10)
    headers = {'Content-Type': content_type, 'Authorization': AUTH, 'X-Amz-Date': '20150101T000000Z'}
    if target:
        headers['X-Amz-Target'] = 'Kinesis_20131202.' + target
    conn.request('POST', '/', body=body, headers=headers)
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    return resp.status, resp.getheader('Content-Type'), data


def hex_seq(hex_digits):
    return str(int(hex_digits, 16))


class Recorded(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.server = RiffleServer(in_memory=True).start()
        cls.kin = client(cls.server.endpoint)
        cls.stream = unique_name('recorded')
        create_active(cls.kin, cls.stream, shards=3)

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def invalid(self, fn, **kw):
        with self.assertRaises(ClientError) as cm:
            fn(**kw)
        self.assertEqual(error_code(cm.exception), 'InvalidArgumentException', cm.exception.response)
        return error_message(cm.exception)

    # -- empty outputs ------------------------------------------------------

    def test_empty_output_is_an_empty_body_over_json(self):
        """AddTagsToStream, RemoveTagsFromStream and retention answer 200 with no body at all, as AWS."""
        calls = [('AddTagsToStream', {'StreamName': self.stream, 'Tags': {'k': 'v'}}),
                 ('RemoveTagsFromStream', {'StreamName': self.stream, 'TagKeys': ['k']}),
                 ('IncreaseStreamRetentionPeriod', {'StreamName': self.stream, 'RetentionPeriodHours': 24})]
        for target, payload in calls:
            status, _, body = raw(self.server.port, target, json.dumps(payload).encode())
            self.assertEqual((status, body), (200, b''), target)

    def test_every_empty_output_is_an_empty_body_over_json(self):
        """Each operation of the model without output members answers 200 with no body (CBOR: test_cbor.py)."""
        name = unique_name('empty')
        arn = 'arn:aws:kinesis:us-east-1:%s:stream/%s' % (ACCOUNT, name)
        policy = json.dumps({'Version': '2012-10-17', 'Statement': [{
            'Effect': 'Allow', 'Principal': {'AWS': 'arn:aws:iam::%s:root' % ACCOUNT},
            'Action': 'kinesis:GetRecords', 'Resource': arn}]})

        def call(target, payload):
            status, _, body = raw(self.server.port, target, json.dumps(payload).encode())
            self.assertEqual((status, body), (200, b''), '%s answered %r' % (target, body))

        call('CreateStream', {'StreamName': name, 'ShardCount': 2})
        self.kin.get_waiter('stream_exists').wait(StreamName=name, WaiterConfig={'Delay': 0.1})
        call('IncreaseStreamRetentionPeriod', {'StreamName': name, 'RetentionPeriodHours': 48})
        call('DecreaseStreamRetentionPeriod', {'StreamName': name, 'RetentionPeriodHours': 24})
        call('AddTagsToStream', {'StreamName': name, 'Tags': {'k': 'v'}})
        call('RemoveTagsFromStream', {'StreamName': name, 'TagKeys': ['k']})
        call('TagResource', {'ResourceARN': arn, 'Tags': {'k': 'v'}})
        call('UntagResource', {'ResourceARN': arn, 'TagKeys': ['k']})
        call('StartStreamEncryption', {'StreamName': name, 'EncryptionType': 'KMS', 'KeyId': 'alias/aws/kinesis'})
        self.kin.get_waiter('stream_exists').wait(StreamName=name, WaiterConfig={'Delay': 0.1})
        call('StopStreamEncryption', {'StreamName': name, 'EncryptionType': 'KMS', 'KeyId': 'alias/aws/kinesis'})
        self.kin.get_waiter('stream_exists').wait(StreamName=name, WaiterConfig={'Delay': 0.1})
        call('PutResourcePolicy', {'ResourceARN': arn, 'Policy': policy})
        call('DeleteResourcePolicy', {'ResourceARN': arn})
        call('UpdateMaxRecordSize', {'StreamARN': arn, 'MaxRecordSizeInKiB': 2048})
        self.kin.get_waiter('stream_exists').wait(StreamName=name, WaiterConfig={'Delay': 0.1})
        call('SplitShard', {'StreamName': name, 'ShardToSplit': 'shardId-000000000000',
                            'NewStartingHashKey': str(2 ** 126)})
        self.kin.get_waiter('stream_exists').wait(StreamName=name, WaiterConfig={'Delay': 0.1})
        call('MergeShards', {'StreamName': name, 'ShardToMerge': 'shardId-000000000002',
                             'AdjacentShardToMerge': 'shardId-000000000003'})
        self.kin.get_waiter('stream_exists').wait(StreamName=name, WaiterConfig={'Delay': 0.1})
        call('UpdateStreamMode', {'StreamARN': arn, 'StreamModeDetails': {'StreamMode': 'ON_DEMAND'}})
        self.kin.get_waiter('stream_exists').wait(StreamName=name, WaiterConfig={'Delay': 0.1})
        consumer = self.kin.register_stream_consumer(StreamARN=arn, ConsumerName='c')['Consumer']['ConsumerARN']
        while self.kin.describe_stream_consumer(ConsumerARN=consumer)['ConsumerDescription'][
                'ConsumerStatus'] != 'ACTIVE':
            time.sleep(0.1)
        call('DeregisterStreamConsumer', {'ConsumerARN': consumer})
        call('DeleteStream', {'StreamName': name})

    def test_stream_id_is_accepted_and_not_returned(self):
        """StreamId ("Not Implemented. Reserved for future use." in the model) is taken where the model has it,
        checked against its pattern, and never returned, as AWS does today."""
        sid = 'abcdefghij0123456789-abc'
        status, _, body = raw(self.server.port, 'DescribeStreamSummary',
                              json.dumps({'StreamName': self.stream, 'StreamId': sid}).encode())
        self.assertEqual(status, 200, body)
        summary = json.loads(body)['StreamDescriptionSummary']
        self.assertEqual(summary['StreamName'], self.stream)
        self.assertNotIn('StreamId', summary)
        status, _, body = raw(self.server.port, 'PutRecord', json.dumps(
            {'StreamName': self.stream, 'StreamId': sid, 'PartitionKey': 'a', 'Data': ''}).encode())
        self.assertEqual(status, 200, body)
        status, _, body = raw(self.server.port, 'DescribeStreamSummary',
                              json.dumps({'StreamName': self.stream, 'StreamId': 'not an id'}).encode())
        self.assertEqual(status, 400, body)
        self.assertEqual(json.loads(body)['__type'], 'ValidationException', body)
        self.assertIn("at 'streamId' failed to satisfy constraint", json.loads(body)['message'])

    def test_clients_read_empty_outputs(self):
        """boto3 reads the empty body as an empty output."""
        out = self.kin.add_tags_to_stream(StreamName=self.stream, Tags={'a': 'b'})
        self.assertEqual(set(out), {'ResponseMetadata'})
        self.assertEqual(out['ResponseMetadata']['HTTPHeaders'].get('content-length'), '0')

    # -- DeleteStream -------------------------------------------------------

    def test_delete_stream_while_creating(self):
        """DeleteStream of a CREATING stream succeeds (AWS allows it); the stream goes DELETING, then away."""
        with RiffleServer(in_memory=True, args=['--create-stream-ms', '60000']) as server:
            kin = client(server.endpoint)
            name = unique_name('creating')
            kin.create_stream(StreamName=name, ShardCount=1)
            self.assertEqual(kin.describe_stream_summary(StreamName=name)['StreamDescriptionSummary']['StreamStatus'],
                             'CREATING')
            kin.delete_stream(StreamName=name)
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline:
                try:
                    status = kin.describe_stream_summary(StreamName=name)['StreamDescriptionSummary']['StreamStatus']
                except ClientError as e:
                    self.assertEqual(error_code(e), 'ResourceNotFoundException')
                    break
                self.assertEqual(status, 'DELETING')
                time.sleep(0.1)
            else:
                self.fail('stream was not deleted')

    # -- tags ---------------------------------------------------------------

    def test_tag_characters_per_operation(self):
        """Invalid characters get the generic text; '%' the operation's own "illegal characters" text."""
        add, remove = self.kin.add_tags_to_stream, self.kin.remove_tags_from_stream
        for tags in ({'abc;def': '1'}, {'abc\tdef': '1'}, {'abc\ndef': '1'}, {'abc,def': '1'}, {'a': 'abc;def'},
                     {'a': 'abc\tdef'}, {'a': 'abc,def'}):
            self.assertEqual(self.invalid(add, StreamName=self.stream, Tags=tags), INVALID, tags)
        for key in ('abc;def', 'abc\tdef', 'abc\ndef', 'abc,def'):
            self.assertEqual(self.invalid(remove, StreamName=self.stream, TagKeys=[key]), INVALID, key)
        prefix = ' stream %s under account %s ' % (self.stream, ACCOUNT)
        for tags in ({'abc%def': '1'}, {'a': 'abc%def'}):
            self.assertEqual(self.invalid(add, StreamName=self.stream, Tags=tags),
                             'Failed to add tags to' + prefix + ILLEGAL, tags)
        self.assertEqual(self.invalid(remove, StreamName=self.stream, TagKeys=['abc%def']),
                         'Failed to remove tags from' + prefix + ILLEGAL)
        # The recorded valid characters are taken.
        add(StreamName=self.stream, Tags={'ü0 _.': 'a', '/=+-@': 'a', 'b': 'ü0 _./=+-@', 'c': ''})
        tags = {t['Key']: t['Value'] for t in self.kin.list_tags_for_stream(StreamName=self.stream)['Tags']}
        self.assertEqual(tags['b'], 'ü0 _./=+-@')
        remove(StreamName=self.stream, TagKeys=['ü0 _.', '/=+-@', 'b', 'c'])

    # -- MergeShards --------------------------------------------------------

    def test_merge_shards_inverted_order(self):
        """The adjacent pair given higher shard first is refused with AWS's text."""
        msg = self.invalid(self.kin.merge_shards, StreamName=self.stream, ShardToMerge='shardId-000000000001',
                           AdjacentShardToMerge='shardId-000000000000')
        self.assertEqual(msg, 'Shards shardId-000000000001 and shardId-000000000000 in stream %s under account %s '
                              'are not an adjacent pair of shards eligible for merging' % (self.stream, ACCOUNT))

    # -- sequence numbers ---------------------------------------------------

    def test_shard_index_top_bit_names_a_negative_shard(self):
        seq = hex_seq('20000000000000000000000000000000000000800000002')
        msg = self.invalid(self.kin.get_shard_iterator, StreamName=self.stream, ShardId='shardId-0',
                           ShardIteratorType='AT_SEQUENCE_NUMBER', StartingSequenceNumber=seq)
        self.assertEqual(msg, 'Invalid StartingSequenceNumber. It encodes shardId--02147483648, '
                              'while it was used in a call to a shard with shardId-000000000000')

    def test_sequence_number_for_ordering(self):
        """Accepted: "all f" fields, "all 0", "all 0 with version 1", "8 near end"; refused: other versions,
        a future time, and a number of all f digits."""
        def put(seq):
            return self.kin.put_record(StreamName=self.stream, PartitionKey='a', Data=b'',
                                       SequenceNumberForOrdering=seq)
        for digits in ('2ffffffffff7fffffffffffffff000000000007fffffff2',
                       '20000000000000000000000000000000000000000000002',
                       '20000000000000000000000000000000000000000000001',
                       '20000000000000000000000000000000000000800000002'):
            self.assertEqual(put(hex_seq(digits))['ShardId'], 'shardId-000000000000', digits)
        future = '200000000000000000000000000000%08x000000002' % (int(time.time()) + 3600)
        for digits in ('20000000000000000000000000000000000000000000000',
                       '20000000000000000000000000000000000000000000004',
                       '1ffffffffff7fffffffffffffff000000000007fffffff2',
                       '20000000000800000000000000000000000000000000002', future,
                       'f' * 47, 'f' * 48):  # all f digits: no version a number can have
            seq = hex_seq(digits)
            self.assertEqual(self.invalid(put, seq=seq),
                             'ExclusiveMinimumSequenceNumber %s used in PutRecord on stream %s under account %s '
                             'is invalid.' % (seq, self.stream, ACCOUNT), digits)

    # -- application/json ---------------------------------------------------

    def test_application_json_envelope(self):
        """A valid target: non-JSON body -> SerializationException, JSON object -> UnknownOperationException."""
        status, _, body = raw(self.server.port, 'ListStreams', b'hello', 'application/json')
        self.assertEqual((status, json.loads(body)), (200, {
            'Output': {'__type': 'com.amazon.coral.service#SerializationException', 'Message': None},
            'Version': '1.0'}))
        status, _, body = raw(self.server.port, 'ListStreams', b'{}', 'application/json')
        self.assertEqual((status, json.loads(body)), (200, {
            'Output': {'__type': 'com.amazon.coral.service#UnknownOperationException', 'message': None},
            'Version': '1.0'}))


if __name__ == '__main__':
    unittest.main()
