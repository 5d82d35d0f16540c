"""TLS: `riffle cert`, the https listener, ALPN, and boto3 (HTTP/1.1 via ALPN) with verify=<cert>.

Run: RIFFLE_BIN=build/riffle python3 tests/compat/test_tls.py -v
"""

import os
import shutil
import socket
import ssl
import stat
import subprocess
import sys
import tempfile
import unittest
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'support'))

import boto3  # noqa: E402
import botocore.exceptions  # noqa: E402
from botocore.config import Config  # noqa: E402

from riffle_server import RiffleServer, require_own_server, unique_name  # noqa: E402

ACCOUNT = '000000000000'


def make_cert(out_dir, *sans):
    cmd = [os.environ['RIFFLE_BIN'], 'cert', '--out-dir', out_dir]
    for san in sans:
        cmd += ['--san', san]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60)


class Tls(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        require_own_server(cls)
        cls.dir = tempfile.mkdtemp(prefix='riffle-tls-')
        done = make_cert(cls.dir)
        assert done.returncode == 0, done.stderr
        cls.cert = os.path.join(cls.dir, 'riffle.crt')
        cls.key = os.path.join(cls.dir, 'riffle.key')
        cls.server = RiffleServer(in_memory=True, tls=(cls.cert, cls.key)).start()
        u = urllib.parse.urlsplit(cls.server.tls_endpoint)
        cls.host, cls.port = u.hostname, u.port

    @classmethod
    def tearDownClass(cls):
        cls.server.close()
        shutil.rmtree(cls.dir, ignore_errors=True)

    def client(self, endpoint=None, verify=None):
        return boto3.client('kinesis', endpoint_url=endpoint or self.server.tls_endpoint,
                            region_name='us-east-1', aws_access_key_id='test',
                            aws_secret_access_key='test',
                            verify=self.cert if verify is None else verify,
                            config=Config(retries={'max_attempts': 1}))

    def alpn(self, protocols, server_hostname='localhost'):
        context = ssl.create_default_context(cafile=self.cert)
        context.set_alpn_protocols(protocols)
        with socket.create_connection((self.host, self.port), timeout=10) as raw:
            with context.wrap_socket(raw, server_hostname=server_hostname) as tls:
                return tls.selected_alpn_protocol(), tls.version()

    def test_cert_files(self):
        """riffle cert writes a PEM certificate with SANs localhost and 127.0.0.1 and a 0600 PEM key."""
        with open(self.cert) as f:
            self.assertIn('-----BEGIN CERTIFICATE-----', f.read())
        with open(self.key) as f:
            self.assertIn('-----BEGIN PRIVATE KEY-----', f.read())
        self.assertEqual(stat.S_IMODE(os.stat(self.key).st_mode), 0o600)
        info = ssl._ssl._test_decode_cert(self.cert)
        self.assertIn(('DNS', 'localhost'), info['subjectAltName'])
        self.assertIn(('IP Address', '127.0.0.1'), info['subjectAltName'])

    def test_cert_custom_sans(self):
        """--san replaces the defaults; DNS names and IPs are told apart."""
        out = tempfile.mkdtemp(prefix='riffle-tls-san-')
        try:
            done = make_cert(out, 'kinesis.test', '10.1.2.3', '::1')
            self.assertEqual(done.returncode, 0, done.stderr)
            info = ssl._ssl._test_decode_cert(os.path.join(out, 'riffle.crt'))
            names = [v for _, v in info['subjectAltName']]
            self.assertIn(('DNS', 'kinesis.test'), info['subjectAltName'])
            self.assertIn(('IP Address', '10.1.2.3'), info['subjectAltName'])
            self.assertEqual(len(names), 3)  # ::1 too
            self.assertNotIn('localhost', names)
        finally:
            shutil.rmtree(out, ignore_errors=True)

    def test_alpn_prefers_h2_and_falls_back_to_http11(self):
        """ALPN: h2 when offered, http/1.1 when only that is offered; TLS 1.2+; verifies for localhost and 127.0.0.1."""
        protocol, version = self.alpn(['h2', 'http/1.1'])
        self.assertEqual(protocol, 'h2')
        self.assertIn(version, ('TLSv1.2', 'TLSv1.3'))
        self.assertEqual(self.alpn(['http/1.1'], server_hostname='127.0.0.1')[0], 'http/1.1')
        self.assertIsNone(self.alpn([])[0])

    def test_boto3_over_https(self):
        """boto3 with verify=<riffle.crt>: create, describe, put, get records, list, and a not-found error."""
        k = self.client()
        name = unique_name('tls')
        k.create_stream(StreamName=name, ShardCount=1)
        self.assertEqual(k.describe_stream(StreamName=name)['StreamDescription']['StreamStatus'], 'ACTIVE')
        put = k.put_record(StreamName=name, PartitionKey='pk', Data=b'over tls')
        records = k.put_records(StreamName=name, Records=[
            {'PartitionKey': 'pk%d' % i, 'Data': b'x' * 100000} for i in range(20)])
        self.assertEqual(records['FailedRecordCount'], 0)
        it = k.get_shard_iterator(StreamName=name, ShardId=put['ShardId'],
                                  ShardIteratorType='TRIM_HORIZON')['ShardIterator']
        got = k.get_records(ShardIterator=it)['Records']
        self.assertEqual(len(got), 21)
        self.assertEqual(got[0]['Data'], b'over tls')
        self.assertIn(name, k.list_streams()['StreamNames'])
        with self.assertRaises(botocore.exceptions.ClientError) as caught:
            k.describe_stream(StreamName=name + '-missing')
        error = caught.exception.response['Error']
        self.assertEqual(error['Code'], 'ResourceNotFoundException')
        self.assertEqual(error['Message'], 'Stream %s-missing under account %s not found.' % (name, ACCOUNT))

    def test_boto3_rejects_an_untrusted_certificate(self):
        """Without verify=<cert> the self-signed certificate is refused (verification is really on)."""
        with self.assertRaises(botocore.exceptions.SSLError):
            self.client(verify=True).list_streams()

    def test_plain_port_still_serves_http(self):
        """The plain listener keeps serving http:// beside the https one."""
        self.assertIn('StreamNames', self.client(endpoint=self.server.endpoint, verify=False).list_streams())

    def test_awscli_with_ca_bundle(self):
        """Debian's aws CLI v2 with --ca-bundle <riffle.crt> over https."""
        aws = shutil.which('aws', path='/usr/bin')
        if not aws:
            self.skipTest('no /usr/bin/aws')
        env = dict(os.environ, AWS_ACCESS_KEY_ID='test', AWS_SECRET_ACCESS_KEY='test',
                   AWS_DEFAULT_REGION='us-east-1', AWS_PAGER='')
        done = subprocess.run([aws, '--endpoint-url', self.server.tls_endpoint, '--ca-bundle', self.cert,
                               'kinesis', 'list-streams'], capture_output=True, text=True, env=env,
                              timeout=120)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn('StreamNames', done.stdout)


class TlsFlags(unittest.TestCase):

    def test_tls_cert_without_key_is_refused(self):
        """--tls-cert without --tls-key exits 1 with a message."""
        require_own_server(self)
        done = subprocess.run([os.environ['RIFFLE_BIN'], 'serve', '--in-memory', '--port', '0',
                               '--tls-cert', '/nonexistent.crt'], capture_output=True, text=True, timeout=30)
        self.assertEqual(done.returncode, 1)
        self.assertIn('--tls-key', done.stderr)

    def test_unreadable_certificate_is_reported(self):
        """A missing certificate file fails start-up with its path in the message."""
        require_own_server(self)
        done = subprocess.run([os.environ['RIFFLE_BIN'], 'serve', '--in-memory', '--port', '0',
                               '--tls-cert', '/nonexistent.crt', '--tls-key', '/nonexistent.key'],
                              capture_output=True, text=True, timeout=30)
        self.assertEqual(done.returncode, 1)
        self.assertIn('/nonexistent.crt', done.stderr)


if __name__ == '__main__':
    unittest.main()
