// Recognising a Riffle data directory before RocksDB opens (and possibly
// creates files in) it; see docs/storage-format.md, "Recognising a Riffle
// data directory".
#pragma once

#include <string>

#include "base/status.h"

namespace riffle::store::rocksdb_store {

// Ok when `path` does not exist, is an empty directory, a directory with
// only RocksDB's own files (and the store's manifest mark), or a RocksDB database whose column families are
// all Riffle's. Otherwise a StorageError naming the path and the reason
// (not a directory, foreign files, foreign column families, unreadable).
Status CheckDataDir(const std::string& path);

}  // namespace riffle::store::rocksdb_store
