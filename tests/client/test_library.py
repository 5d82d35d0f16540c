"""libriffle-kinesis against the real binary: runs the GoogleTest program
riffle-kinesis-library-test (tests/client/library_*_test.cc) against a
plain server and an https one whose certificate names localhost only.

Run: RIFFLE_BIN=build/riffle RIFFLE_KINESIS_LIBRARY_TEST=build/tests/client/riffle-kinesis-library-test \
     python3 tests/client/test_library.py -v
"""

import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'support'))

from riffle_server import RiffleServer  # noqa: E402


class Library(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix='riffle-library-')
        binary = os.environ['RIFFLE_BIN']
        subprocess.run([binary, 'cert', '--out-dir', cls.dir, '--san', 'localhost'], check=True,
                       stdout=subprocess.DEVNULL)
        cls.cert = os.path.join(cls.dir, 'riffle.crt')
        # Channels (the library test calls the channel operations) deliver into a directory.
        cls.server = RiffleServer(in_memory=True, tls=(cls.cert, os.path.join(cls.dir, 'riffle.key')),
                                  args=['--s3-endpoint', 'file://' + os.path.join(cls.dir, 'objects')]).start()

    @classmethod
    def tearDownClass(cls):
        cls.server.close()
        shutil.rmtree(cls.dir, ignore_errors=True)

    def test_library_cases(self):
        env = dict(os.environ)
        env['RIFFLE_ENDPOINT'] = self.server.endpoint
        env['RIFFLE_TLS_ENDPOINT'] = 'https://localhost:%d' % self.server.tls_port
        env['RIFFLE_TLS_CA'] = self.cert
        # No credentials or endpoints of the machine leak into the cases.
        for name in ('AWS_PROFILE', 'AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_KINESIS', 'AWS_CA_BUNDLE'):
            env.pop(name, None)
        result = subprocess.run([os.environ['RIFFLE_KINESIS_LIBRARY_TEST'], '--gtest_brief=1'], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=280)
        sys.stdout.write(result.stdout[-20000:])
        self.assertEqual(result.returncode, 0, 'library cases failed (output above)')
        self.assertNotIn('SKIPPED', result.stdout)


if __name__ == '__main__':
    unittest.main()
