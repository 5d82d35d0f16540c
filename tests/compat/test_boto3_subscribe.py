"""boto3 (pip python3): SubscribeToShard over HTTP/1.1 (chunked event stream).

Records put after subscribing arrive as SubscribeToShardEvents; every
StartingPosition type; the errors AWS answers before the stream starts
(unknown or inactive consumer, bad shard, bad position, a second
subscription within 5 seconds) and during it (consumer deregistered); the
subscription ends after its lifetime (--subscription-ms).

Run: RIFFLE_BIN=build/riffle python3 tests/compat/test_boto3_subscribe.py -v
"""

import datetime
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'support'))

from botocore.exceptions import ClientError, EventStreamError  # noqa: E402

from riffle_server import RiffleServer, unique_name  # noqa: E402
from kinesis_helpers import client, create_active, error_code  # noqa: E402

SHARD0 = 'shardId-000000000000'


def records_until(events, count):
    """Reads SubscribeToShardEvents until `count` records arrived; returns (records, events)."""
    got, seen = [], []
    for event in events:
        e = event['SubscribeToShardEvent']
        seen.append(e)
        got.extend(e['Records'])
        if len(got) >= count:
            return got, seen
    raise AssertionError('event stream ended after %d of %d records' % (len(got), count))


class Subscribe(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.server = RiffleServer(in_memory=True).start()
        cls.kin = client(cls.server.endpoint, validate=True)
        cls.raw = client(cls.server.endpoint)

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def assertError(self, code, fn, *args, **kw):
        with self.assertRaises(ClientError) as cm:
            fn(*args, **kw)
        self.assertEqual(error_code(cm.exception), code, cm.exception.response)
        return cm.exception.response['Error'].get('Message', '')

    def setup_stream(self, prefix, consumers=('app',)):
        name = unique_name(prefix)
        arn = create_active(self.kin, name, 1)['StreamARN']
        arns = [self.kin.register_stream_consumer(StreamARN=arn, ConsumerName=c)['Consumer']['ConsumerARN']
                for c in consumers]
        return name, arns

    def test_records_put_after_subscribing_arrive(self):
        """LATEST: records acknowledged after the subscription started are pushed with their fields."""
        name, (consumer,) = self.setup_stream('sublatest')
        self.kin.put_record(StreamName=name, PartitionKey='old', Data=b'before')
        response = self.kin.subscribe_to_shard(ConsumerARN=consumer, ShardId=SHARD0,
                                               StartingPosition={'Type': 'LATEST'})
        self.assertEqual(response['ResponseMetadata']['HTTPStatusCode'], 200)
        self.assertEqual(response['ResponseMetadata']['HTTPHeaders']['content-type'],
                         'application/vnd.amazon.eventstream')
        self.assertEqual(response['ResponseMetadata']['HTTPHeaders'].get('transfer-encoding'), 'chunked')
        put = [self.kin.put_record(StreamName=name, PartitionKey='pk%d' % i, Data=b'\x00\xffdata%d' % i)
               for i in range(3)]
        records, events = records_until(response['EventStream'], 3)
        response['EventStream'].close()
        self.assertEqual([r['Data'] for r in records], [b'\x00\xffdata%d' % i for i in range(3)])
        self.assertEqual([r['PartitionKey'] for r in records], ['pk0', 'pk1', 'pk2'])
        self.assertEqual([r['SequenceNumber'] for r in records], [p['SequenceNumber'] for p in put])
        for r in records:
            self.assertIsInstance(r['ApproximateArrivalTimestamp'], datetime.datetime)
            self.assertNotIn('EncryptionType', r)  # unencrypted stream, as GetRecords reports it
        last = events[-1]
        self.assertEqual(last['ContinuationSequenceNumber'], put[-1]['SequenceNumber'])
        self.assertEqual(last['MillisBehindLatest'], 0)
        self.assertNotIn('ChildShards', last)

    def test_starting_positions(self):
        """TRIM_HORIZON, AT_/AFTER_SEQUENCE_NUMBER and AT_TIMESTAMP start where GetShardIterator would."""
        name, consumers = self.setup_stream('subpos', ('trim', 'at', 'after', 'ts'))
        seqs = [self.kin.put_record(StreamName=name, PartitionKey='k', Data=b'r%d' % i)['SequenceNumber']
                for i in range(3)]
        cases = [
            (consumers[0], {'Type': 'TRIM_HORIZON'}, [b'r0', b'r1', b'r2']),
            (consumers[1], {'Type': 'AT_SEQUENCE_NUMBER', 'SequenceNumber': seqs[1]}, [b'r1', b'r2']),
            (consumers[2], {'Type': 'AFTER_SEQUENCE_NUMBER', 'SequenceNumber': seqs[1]}, [b'r2']),
            (consumers[3], {'Type': 'AT_TIMESTAMP', 'Timestamp': datetime.datetime(2000, 1, 1)},
             [b'r0', b'r1', b'r2']),
        ]
        for consumer, position, expected in cases:
            with self.subTest(position=position['Type']):
                stream = self.kin.subscribe_to_shard(ConsumerARN=consumer, ShardId=SHARD0,
                                                     StartingPosition=position)['EventStream']
                records, events = records_until(stream, len(expected))
                stream.close()
                self.assertEqual([r['Data'] for r in records], expected)
                self.assertEqual(events[-1]['ContinuationSequenceNumber'], seqs[-1])

    def test_errors_before_the_stream(self):
        """Unknown consumer, bad shard, bad positions and a second subscription within 5 s are plain errors."""
        name, (consumer,) = self.setup_stream('suberr')
        missing = consumer.rsplit(':', 1)[0] + ':1'
        self.assertError('ResourceNotFoundException', self.kin.subscribe_to_shard, ConsumerARN=missing,
                         ShardId=SHARD0, StartingPosition={'Type': 'LATEST'})
        self.assertError('ResourceNotFoundException', self.kin.subscribe_to_shard, ConsumerARN=consumer,
                         ShardId='shardId-000000000009', StartingPosition={'Type': 'LATEST'})
        self.assertError('ValidationException', self.raw.subscribe_to_shard, ConsumerARN=consumer, ShardId=SHARD0)
        self.assertError('ValidationException', self.raw.subscribe_to_shard, ConsumerARN=consumer, ShardId=SHARD0,
                         StartingPosition={'Type': 'SOMEWHERE'})
        message = self.assertError('InvalidArgumentException', self.kin.subscribe_to_shard, ConsumerARN=consumer,
                                   ShardId=SHARD0, StartingPosition={'Type': 'AT_SEQUENCE_NUMBER'})
        self.assertIn('no StartingSequenceNumber', message)
        first = self.kin.subscribe_to_shard(ConsumerARN=consumer, ShardId=SHARD0,
                                            StartingPosition={'Type': 'LATEST'})
        message = self.assertError('ResourceInUseException', self.kin.subscribe_to_shard, ConsumerARN=consumer,
                                   ShardId=SHARD0, StartingPosition={'Type': 'LATEST'})
        self.assertIn('Another active subscription exists for this consumer', message)
        first['EventStream'].close()

    def test_consumer_deregistered_during_subscription(self):
        """Deregistering the consumer ends its subscription with a ResourceNotFoundException message."""
        name, (consumer,) = self.setup_stream('subdereg')
        stream = self.kin.subscribe_to_shard(ConsumerARN=consumer, ShardId=SHARD0,
                                             StartingPosition={'Type': 'TRIM_HORIZON'})['EventStream']
        self.kin.put_record(StreamName=name, PartitionKey='k', Data=b'one')
        it = iter(stream)
        records, _ = records_until(it, 1)
        self.assertEqual(records[0]['Data'], b'one')
        self.kin.deregister_stream_consumer(ConsumerARN=consumer)
        with self.assertRaises(EventStreamError) as cm:
            for _ in it:
                pass
        self.assertEqual(cm.exception.response['Error']['Code'], 'ResourceNotFoundException')


class InactiveConsumer(unittest.TestCase):
    """A consumer still CREATING cannot subscribe (--create-stream-ms also delays consumers)."""

    def test_creating_consumer_is_in_use(self):
        server = RiffleServer(in_memory=True, args=['--create-stream-ms', '5000']).start()
        try:
            kin = client(server.endpoint, validate=True)
            name = unique_name('subcreating')
            arn = create_active(kin, name, 1)['StreamARN']
            consumer = kin.register_stream_consumer(StreamARN=arn, ConsumerName='new')['Consumer']
            self.assertEqual(consumer['ConsumerStatus'], 'CREATING')
            with self.assertRaises(ClientError) as cm:
                kin.subscribe_to_shard(ConsumerARN=consumer['ConsumerARN'], ShardId=SHARD0,
                                       StartingPosition={'Type': 'LATEST'})
            self.assertEqual(error_code(cm.exception), 'ResourceInUseException')
        finally:
            server.close()


class Lifetime(unittest.TestCase):
    """A subscription ends after its lifetime; the event stream then simply ends."""

    def test_subscription_ends(self):
        server = RiffleServer(in_memory=True, args=['--subscription-ms', '1500']).start()
        try:
            kin = client(server.endpoint, validate=True)
            name = unique_name('subend')
            arn = create_active(kin, name, 1)['StreamARN']
            consumer = kin.register_stream_consumer(StreamARN=arn, ConsumerName='c')['Consumer']['ConsumerARN']
            kin.put_record(StreamName=name, PartitionKey='k', Data=b'x')
            stream = kin.subscribe_to_shard(ConsumerARN=consumer, ShardId=SHARD0,
                                            StartingPosition={'Type': 'TRIM_HORIZON'})['EventStream']
            events = [e['SubscribeToShardEvent'] for e in stream]
            self.assertGreaterEqual(len(events), 1)
            self.assertEqual(events[0]['Records'][0]['Data'], b'x')
            # The connection is reusable after the terminating chunk.
            self.assertEqual(kin.describe_stream_summary(StreamName=name)['StreamDescriptionSummary']
                             ['ConsumerCount'], 1)
        finally:
            server.close()


if __name__ == '__main__':
    unittest.main()
