"""Bad data directories (pip python3 + boto3): a file, an unwritable directory, a directory of
someone else's files, another program's RocksDB, a corrupted store. `riffle serve` must exit
non-zero at once with one clear line naming the path, and never serve wrong data.

Run: RIFFLE_BIN=build/riffle python3 tests/fault/test_data_dir.py -v
"""

import ctypes
import ctypes.util
import glob
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'support'))

from riffle_server import RiffleServer, require_own_server, unique_name  # noqa: E402
from kinesis_helpers import client, create_active, read_shard  # noqa: E402

DEADLINE = 60.0  # seconds; only against hangs
SHARD0 = 'shardId-000000000000'


def run_serve(data_dir, preexec_fn=None):
    """Runs `riffle serve` on data_dir, expecting it to exit by itself. Returns (code, stderr)."""
    cmd = [os.environ['RIFFLE_BIN'], 'serve', '--host', '127.0.0.1', '--port', '0', '--data-dir', data_dir]
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            preexec_fn=preexec_fn)
    try:
        out, err = proc.communicate(timeout=DEADLINE)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        raise AssertionError('riffle kept running on a bad data dir %s; stdout: %r' % (data_dir, out[:300]))
    return proc.returncode, out.decode('utf-8', 'replace'), err.decode('utf-8', 'replace')


class DataDirFaults(unittest.TestCase):

    def setUp(self):
        require_own_server(self)
        self.tmp = tempfile.mkdtemp(prefix='riffle-datadir-')
        os.chmod(self.tmp, 0o755)
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def assert_refused(self, data_dir, *words, preexec_fn=None):
        code, out, err = run_serve(data_dir, preexec_fn)
        self.assertNotEqual(code, 0, 'riffle must refuse %s; stderr: %s' % (data_dir, err))
        self.assertNotIn('Riffle ready', out)
        lines = [line for line in err.splitlines() if line.startswith('riffle:')]
        self.assertEqual(len(lines), 1, 'one error line: %r' % err)
        self.assertIn(data_dir, lines[0])
        for word in words:
            self.assertIn(word, lines[0])
        return lines[0]

    def make_store(self, records=20):
        """A real store with `records` records in one stream (stopped cleanly twice, so that the
        records moved from the WAL into table files). Returns (data_dir, stream, [(seq, data)])."""
        data_dir = os.path.join(self.tmp, 'store')
        name = unique_name('dd')
        with RiffleServer(data_dir=data_dir) as server:
            kin = client(server.endpoint)
            create_active(kin, name, 1)
            written = []
            for i in range(records):
                data = os.urandom(2000) + b'%d' % i
                seq = kin.put_record(StreamName=name, PartitionKey='k', Data=data)['SequenceNumber']
                written.append((seq, data))
            server.restart()  # reopening flushes the recovered WAL into table files
        return data_dir, name, written

    def test_data_dir_that_is_a_file(self):
        path = os.path.join(self.tmp, 'file')
        with open(path, 'w') as f:
            f.write('not a directory')
        self.assert_refused(path, 'not a directory')

    def test_unwritable_data_dir(self):
        path = os.path.join(self.tmp, 'readonly')
        os.mkdir(path)
        preexec = None
        if os.geteuid() == 0:
            # root writes anywhere: run the server as nobody, the directory stays root's.
            os.chmod(path, 0o555)
            nobody = 65534

            def preexec():
                os.setgid(nobody)
                os.setuid(nobody)
            if not os.access(os.environ['RIFFLE_BIN'], os.X_OK) or \
                    os.stat(os.environ['RIFFLE_BIN']).st_mode & stat.S_IXOTH == 0:
                self.skipTest('the riffle binary is not executable by nobody')
        else:
            os.chmod(path, 0o555)
        line = self.assert_refused(path, preexec_fn=preexec)
        self.assertIn('ermission denied', line)

    def test_directory_of_other_files(self):
        path = os.path.join(self.tmp, 'photos')
        os.mkdir(path)
        with open(os.path.join(path, 'holiday.jpg'), 'wb') as f:
            f.write(os.urandom(100))
        self.assert_refused(path, 'holiday.jpg')
        self.assertEqual(os.listdir(path), ['holiday.jpg'], 'nothing written among foreign files')

    def test_rocksdb_of_another_program(self):
        """A RocksDB written by another program (through RocksDB's C API) is refused and left as it was."""
        try:
            lib = ctypes.CDLL(ctypes.util.find_library('rocksdb') or 'librocksdb.so')
        except OSError:
            self.skipTest('librocksdb not found')
        for fn in ('rocksdb_options_create', 'rocksdb_open', 'rocksdb_writeoptions_create'):
            getattr(lib, fn).restype = ctypes.c_void_p
        lib.rocksdb_open.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_char_p)]
        lib.rocksdb_put.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t,
                                    ctypes.c_char_p, ctypes.c_size_t, ctypes.POINTER(ctypes.c_char_p)]
        lib.rocksdb_close.argtypes = [ctypes.c_void_p]
        lib.rocksdb_options_set_create_if_missing.argtypes = [ctypes.c_void_p, ctypes.c_ubyte]
        path = os.path.join(self.tmp, 'their-db')
        options = lib.rocksdb_options_create()
        lib.rocksdb_options_set_create_if_missing(options, 1)
        err = ctypes.c_char_p()
        db = lib.rocksdb_open(options, path.encode(), ctypes.byref(err))
        self.assertIsNone(err.value)
        lib.rocksdb_put(db, lib.rocksdb_writeoptions_create(), b'user:1', 6, b'alice', 5, ctypes.byref(err))
        self.assertIsNone(err.value)
        lib.rocksdb_close(db)
        before = sorted(os.listdir(path))
        self.assert_refused(path, 'not a Riffle store')
        self.assertEqual(sorted(os.listdir(path)), before, 'the foreign database is left untouched')

    def test_foreign_column_family(self):
        """A Riffle store given a column family Riffle does not know is refused."""
        lib = None
        try:
            lib = ctypes.CDLL(ctypes.util.find_library('rocksdb') or 'librocksdb.so')
        except OSError:
            self.skipTest('librocksdb not found')
        data_dir, _, _ = self.make_store(records=2)
        for fn in ('rocksdb_options_create', 'rocksdb_open_column_families', 'rocksdb_create_column_family'):
            getattr(lib, fn).restype = ctypes.c_void_p
        names = [b'default', b'meta', b'records', b'time_index']
        c_names = (ctypes.c_char_p * 4)(*names)
        options = lib.rocksdb_options_create()
        c_opts = (ctypes.c_void_p * 4)(*([options] * 4))
        handles = (ctypes.c_void_p * 4)()
        err = ctypes.c_char_p()
        lib.rocksdb_open_column_families.argtypes = [
            ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, ctypes.POINTER(ctypes.c_char_p),
            ctypes.POINTER(ctypes.c_void_p), ctypes.POINTER(ctypes.c_void_p), ctypes.POINTER(ctypes.c_char_p)]
        db = lib.rocksdb_open_column_families(options, data_dir.encode(), 4, c_names, c_opts, handles,
                                              ctypes.byref(err))
        self.assertIsNone(err.value, err.value)
        lib.rocksdb_create_column_family.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_char_p,
                                                     ctypes.POINTER(ctypes.c_char_p)]
        extra = lib.rocksdb_create_column_family(db, options, b'someone_elses', ctypes.byref(err))
        self.assertIsNone(err.value, err.value)
        lib.rocksdb_column_family_handle_destroy.argtypes = [ctypes.c_void_p]
        for handle in list(handles) + [extra]:
            lib.rocksdb_column_family_handle_destroy(handle)
        lib.rocksdb_close.argtypes = [ctypes.c_void_p]
        lib.rocksdb_close(db)
        self.assert_refused(data_dir, 'someone_elses')

    def test_garbage_in_manifest(self):
        data_dir, _, _ = self.make_store()
        manifests = glob.glob(os.path.join(data_dir, 'MANIFEST-*'))
        self.assertTrue(manifests)
        for m in manifests:
            size = os.path.getsize(m)
            with open(m, 'r+b') as f:
                f.seek(size // 2)
                f.write(os.urandom(16))
        self.assert_refused(data_dir, 'Corruption')

    def test_truncated_manifest(self):
        """A MANIFEST cut short looks to RocksDB like a crash during a MANIFEST write (it would recover
        the older version it describes and delete the newer table files as obsolete); Riffle's own
        record of the synced MANIFEST size refuses it, and leaves every table file in place."""
        data_dir, _, _ = self.make_store()
        manifests = glob.glob(os.path.join(data_dir, 'MANIFEST-*'))
        self.assertTrue(manifests)
        for m in manifests:
            size = os.path.getsize(m)
            with open(m, 'r+b') as f:
                f.truncate(size // 2)
        tables = sorted(glob.glob(os.path.join(data_dir, '*.sst')))
        self.assertTrue(tables, 'the store has table files')
        line = self.assert_refused(data_dir, 'MANIFEST-', 'shorter than')
        self.assertIn('RIFFLE-MANIFEST-MARK', line, 'the message says how to open it anyway')
        self.assertEqual(sorted(glob.glob(os.path.join(data_dir, '*.sst'))), tables, 'no table file deleted')

    def test_manifest_replaced_by_older_copy(self):
        """CURRENT and MANIFEST put back from an earlier copy of the same store (RocksDB starts a new
        MANIFEST at every open, so the copy names an older one) are refused: opening them would lose
        the records written since."""
        data_dir, name, written = self.make_store(records=5)
        saved = {}
        for f in ['CURRENT'] + [os.path.basename(m) for m in glob.glob(os.path.join(data_dir, 'MANIFEST-*'))]:
            with open(os.path.join(data_dir, f), 'rb') as fh:
                saved[f] = fh.read()
        with RiffleServer(data_dir=data_dir) as server:
            kin = client(server.endpoint)
            for i in range(20):
                kin.put_record(StreamName=name, PartitionKey='k', Data=os.urandom(2000))
            server.restart()
        for f, data in saved.items():
            with open(os.path.join(data_dir, f), 'wb') as fh:
                fh.write(data)
        self.assert_refused(data_dir, 'older than')

    def test_deleted_table_file(self):
        """A table file the MANIFEST names but that is gone: RocksDB's own check at open refuses it."""
        data_dir, _, _ = self.make_store()
        tables = sorted(glob.glob(os.path.join(data_dir, '*.sst')))
        self.assertTrue(tables, 'the store has table files')
        os.remove(tables[0])
        self.assert_refused(data_dir, 'No such file')

    def test_garbage_current_file(self):
        data_dir, _, _ = self.make_store(records=3)
        with open(os.path.join(data_dir, 'CURRENT'), 'wb') as f:
            f.write(os.urandom(64))
        self.assert_refused(data_dir)

    def test_garbage_in_table_files_never_serves_wrong_data(self):
        """Garbage over the middle of every table file: either refused at start, or every record
        served is byte-for-byte what was written (a damaged block is an error, never other bytes)."""
        data_dir, name, written = self.make_store(records=40)
        tables = glob.glob(os.path.join(data_dir, '*.sst'))
        self.assertTrue(tables, 'the store has table files')
        for t in tables:
            size = os.path.getsize(t)
            with open(t, 'r+b') as f:
                f.seek(size // 3)
                f.write(os.urandom(max(1, size // 3)))
        cmd_server = RiffleServer(data_dir=data_dir)
        try:
            cmd_server.start()
        except RuntimeError as e:
            self.assertIn(data_dir, str(e))
            return
        try:
            kin = client(cmd_server.endpoint)
            expected = dict(written)
            try:
                records = read_shard(kin, name, SHARD0)
            except Exception as e:  # an error is fine: wrong data is not
                self.assertIn('InternalFailure', str(e) + repr(getattr(e, 'response', '')))
                return
            for r in records:
                self.assertEqual(r['Data'], expected[r['SequenceNumber']])
        finally:
            cmd_server.close()


if __name__ == '__main__':
    unittest.main()
