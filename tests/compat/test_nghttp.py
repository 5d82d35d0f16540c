"""nghttp (Debian nghttp2-client) smoke test: a Kinesis call over h2c (prior knowledge) and over https (ALPN h2).

Run: RIFFLE_BIN=build/riffle NGHTTP=/usr/bin/nghttp python3 tests/compat/test_nghttp.py -v
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'support'))

from riffle_server import RiffleServer, require_own_server  # noqa: E402

# The router checks that a SigV4 Authorization header is present (signatures
# are not verified yet).
AUTH = ('AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/kinesis/aws4_request, '
        'SignedHeaders=host;x-amz-date;x-amz-target, Signature=' + '0' * 64)


class Nghttp(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        require_own_server(cls)
        cls.nghttp = os.environ.get('NGHTTP') or shutil.which('nghttp')
        if not cls.nghttp:
            raise unittest.SkipTest('nghttp not installed (Debian nghttp2-client)')
        cls.dir = tempfile.mkdtemp(prefix='riffle-nghttp-')
        done = subprocess.run([os.environ['RIFFLE_BIN'], 'cert', '--out-dir', cls.dir],
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        cls.server = RiffleServer(in_memory=True, tls=(os.path.join(cls.dir, 'riffle.crt'),
                                                       os.path.join(cls.dir, 'riffle.key'))).start()

    @classmethod
    def tearDownClass(cls):
        cls.server.close()
        shutil.rmtree(cls.dir, ignore_errors=True)

    def call(self, endpoint, target, body):
        path = os.path.join(self.dir, 'body.json')
        with open(path, 'w') as f:
            json.dump(body, f)
        done = subprocess.run(
            [self.nghttp, '-v', '-d', path,
             '-H', 'content-type: application/x-amz-json-1.1',
             '-H', 'x-amz-target: Kinesis_20131202.' + target,
             '-H', 'x-amz-date: 20240101T000000Z',
             '-H', 'authorization: ' + AUTH,
             endpoint + '/'], capture_output=True, text=True, timeout=60)
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
        return done.stdout

    def test_h2c_prior_knowledge(self):
        """nghttp http:// (direct HTTP/2): CreateStream then ListStreams answer :status 200 with JSON."""
        out = self.call(self.server.endpoint, 'CreateStream', {'StreamName': 'nghttp-h2c', 'ShardCount': 1})
        self.assertIn(':status: 200', out)
        out = self.call(self.server.endpoint, 'ListStreams', {})
        self.assertIn(':status: 200', out)
        self.assertIn('x-amzn-requestid', out)
        self.assertIn('"nghttp-h2c"', out)

    def test_https_alpn_h2(self):
        """nghttp https:// negotiates h2 by ALPN; a missing stream gives 400 ResourceNotFoundException."""
        out = self.call(self.server.tls_endpoint, 'DescribeStream', {'StreamName': 'nope'})
        self.assertIn('The negotiated protocol: h2', out)
        self.assertIn(':status: 400', out)
        self.assertIn('ResourceNotFoundException', out)
        self.assertIn('Stream nope under account 000000000000 not found.', out)


if __name__ == '__main__':
    unittest.main()
