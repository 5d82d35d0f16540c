"""make install's package used as users use it: `cmake --install` into a
temporary prefix, examples/ configured with find_package(RiffleKinesis) and
built, the example run against the real binary; and the same source built
with pkg-config's flags.

Run: RIFFLE_BIN=build/riffle RIFFLE_BUILD_DIR=build RIFFLE_SOURCE_DIR=. python3 tests/client/test_install.py -v
"""

import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'support'))

from riffle_server import RiffleServer  # noqa: E402


class InstalledPackage(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix='riffle-install-')
        cls.prefix = os.path.join(cls.dir, 'prefix')
        subprocess.run(['cmake', '--install', os.environ['RIFFLE_BUILD_DIR'], '--prefix', cls.prefix], check=True,
                       stdout=subprocess.DEVNULL)
        cls.server = RiffleServer(in_memory=True).start()
        cls.env = {k: v for k, v in os.environ.items() if not k.startswith('AWS_')}

    @classmethod
    def tearDownClass(cls):
        cls.server.close()
        shutil.rmtree(cls.dir, ignore_errors=True)

    def run_example(self, binary):
        result = subprocess.run([binary, self.server.endpoint], capture_output=True, text=True, timeout=120,
                                env=self.env)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn('read 1000 records, 1000 distinct', result.stdout)
        self.assertIn('as expected: ResourceNotFoundException', result.stdout)

    def test_installed_files(self):
        for path in ['include/riffle/kinesis/kinesis.h', 'include/riffle/kinesis/model.h',
                     'include/riffle/kinesis/client_operations.inc', 'lib/libriffle-kinesis.so',
                     'lib/cmake/RiffleKinesis/RiffleKinesisConfig.cmake', 'lib/pkgconfig/riffle-kinesis.pc',
                     'bin/riffle']:
            self.assertTrue(os.path.exists(os.path.join(self.prefix, path)), path)
        # No header of Riffle's internals is installed.
        headers = os.listdir(os.path.join(self.prefix, 'include', 'riffle', 'kinesis'))
        self.assertFalse([h for h in headers if h.startswith(('client_core', 'any_stream', 'settings'))])

    def test_example_with_find_package(self):
        build = os.path.join(self.dir, 'examples')
        subprocess.run(['cmake', '-S', os.path.join(os.environ['RIFFLE_SOURCE_DIR'], 'examples'), '-B', build,
                        '-DCMAKE_PREFIX_PATH=' + self.prefix, '-DCMAKE_BUILD_TYPE=Release'],
                       check=True, stdout=subprocess.DEVNULL)
        subprocess.run(['cmake', '--build', build], check=True, stdout=subprocess.DEVNULL)
        self.run_example(os.path.join(build, 'orders'))

    def test_example_with_pkg_config(self):
        env = dict(os.environ, PKG_CONFIG_PATH=os.path.join(self.prefix, 'lib', 'pkgconfig'))
        flags = subprocess.run(['pkg-config', '--cflags', '--libs', 'riffle-kinesis'], env=env, check=True,
                               capture_output=True, text=True).stdout.split()
        binary = os.path.join(self.dir, 'orders-pkg-config')
        subprocess.run(['c++', os.path.join(os.environ['RIFFLE_SOURCE_DIR'], 'examples', 'orders.cc'), '-o', binary]
                       + flags + ['-Wl,-rpath,' + os.path.join(self.prefix, 'lib')], check=True)
        self.run_example(binary)


if __name__ == '__main__':
    unittest.main()
