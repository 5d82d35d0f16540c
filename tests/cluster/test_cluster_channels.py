"""A channel delivers exactly once from a Riffle cluster, whichever node delivers.

Three Riffle nodes A, B, C over a 3-server NATS cluster, each delivering channels into one
directory (`--s3-endpoint file://...`, the same objects whichever node writes them). Every node
runs delivery: each shard's position is a metadata key written by compare-and-set before and after
each object (docs/channels.md), so the nodes never deliver different extents of a shard. Records
are put through A, B and C in turn; node A is killed (kill -9) while they flow and started again.
In the end every record is in the bucket exactly once.

boto3 learns the channel operations from the project's model (AWS_DATA_PATH): botocore 1.43's own
model predates them.

Run: RIFFLE_BIN=build/riffle NATS_SERVER=/usr/sbin/nats-server python3 tests/cluster/test_cluster_channels.py -v
"""

import os
import shutil
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'support'))

import boto3  # noqa: E402
from botocore.config import Config  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402

from kinesis_helpers import error_code  # noqa: E402
from riffle_cluster import RiffleCluster  # noqa: E402
from riffle_server import unique_name, wait_until  # noqa: E402

MODEL = os.path.join(HERE, '..', '..', 'model', 'kinesis-2013-12-02.json')
ROLE = 'arn:aws:iam::000000000000:role/delivery'


class ClusterChannels(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix='riffle-cluster-channels-')
        model_dir = os.path.join(cls.dir, 'model', 'kinesis', '2013-12-02')
        os.makedirs(model_dir)
        shutil.copy(MODEL, os.path.join(model_dir, 'service-2.json'))
        cls.session = boto3.session.Session()
        cls.session._session.get_component('data_loader').search_paths.insert(0, os.path.join(cls.dir, 'model'))
        cls.objects = os.path.join(cls.dir, 'objects')
        cls.cluster = RiffleCluster(nodes=3, args=['--s3-endpoint', 'file://' + cls.objects,
                                                   '--channel-freshness-ms', '300']).start()

    @classmethod
    def tearDownClass(cls):
        cls.cluster.close()
        shutil.rmtree(cls.dir, ignore_errors=True)

    def kin(self, i):
        return self.session.client('kinesis', endpoint_url=self.cluster.endpoint(i), region_name='us-east-1',
                                   aws_access_key_id='AKIDTEST', aws_secret_access_key='secret',
                                   config=Config(retries={'total_max_attempts': 5, 'mode': 'standard'},
                                                 connect_timeout=3, read_timeout=60))

    def delivered(self, bucket):
        lines = []
        for root, _, files in os.walk(os.path.join(self.objects, bucket)):
            for f in files:
                if f.startswith('.tmp-'):
                    continue
                with open(os.path.join(root, f), encoding='utf-8') as fh:
                    lines += fh.read().split('\n')[:-1]
        return lines

    def test_every_record_once_across_nodes_and_a_killed_node(self):
        a, b, c = self.kin(0), self.kin(1), self.kin(2)
        self.assertTrue(hasattr(a, 'create_channel'), 'the project model is loaded')
        stream = unique_name('delivered')
        a.create_stream(StreamName=stream, StreamModeDetails={'StreamMode': 'ON_DEMAND'})
        wait_until(lambda: b.describe_stream_summary(StreamName=stream)['StreamDescriptionSummary']['StreamStatus']
                   == 'ACTIVE', timeout=30, what='stream ACTIVE')
        arn = c.describe_stream_summary(StreamName=stream)['StreamDescriptionSummary']['StreamARN']
        channel = b.create_channel(
            ChannelName=stream + '-ch', ServiceExecutionRoleARN=ROLE,
            StreamConfigurationList=[{'StreamARN': arn, 'RecordConfiguration': {'RecordFormatType': 'STRING'}}],
            S3DestinationConfiguration={'StorageConfiguration': {
                'BucketARN': 'arn:aws:s3:::cluster-bucket', 'ExpectedBucketOwner': '000000000000',
                'CompressionType': 'NONE'}})['ChannelDescription']
        wait_until(lambda: c.describe_channel(ChannelARN=channel['ChannelARN'])['ChannelDescription']['ChannelStatus']
                   == 'ACTIVE', timeout=30, what='channel ACTIVE')
        for node in (a, b, c):
            names = [s['ChannelName'] for s in node.list_channels(StreamFilter=[{'StreamARN': arn}])['ChannelSummaries']]
            self.assertEqual(names, [stream + '-ch'])

        sent = []

        def put(node, count):
            records = [{'Data': b'record-%d' % (len(sent) + i), 'PartitionKey': 'k%d' % (len(sent) + i)}
                       for i in range(count)]
            out = node.put_records(StreamName=stream, Records=records)
            self.assertEqual(out['FailedRecordCount'], 0)
            sent.extend(r['Data'].decode() for r in records)

        for node in (a, b, c, a, b, c):
            put(node, 100)
        self.cluster.kill_node(0)
        put(b, 100)
        put(c, 100)
        self.cluster.start_node(0)
        a = self.kin(0)
        put(a, 100)

        wait_until(lambda: len(self.delivered('cluster-bucket')) >= len(sent), timeout=60, interval=0.25,
                   what='%d records in the bucket' % len(sent))
        # One record more through each node, delivered after all the others: by then a
        # duplicate of any earlier extent would have been written too.
        for node in (a, b, c):
            put(node, 1)
        wait_until(lambda: len(self.delivered('cluster-bucket')) >= len(sent), timeout=60, interval=0.25,
                   what='the last records in the bucket')
        got = self.delivered('cluster-bucket')
        self.assertEqual(sorted(got), sorted(sent), 'every record once')

        with self.assertRaises(ClientError) as refused:
            c.delete_stream(StreamName=stream)
        self.assertEqual(error_code(refused.exception), 'ResourceInUseException')
        c.delete_channel(ChannelARN=channel['ChannelARN'])

        def gone():
            try:
                a.describe_channel(ChannelARN=channel['ChannelARN'])
            except ClientError as e:
                return error_code(e) == 'ResourceNotFoundException'
            return False
        wait_until(gone, timeout=30, what='channel gone')
        a.delete_stream(StreamName=stream)


if __name__ == '__main__':
    unittest.main()
