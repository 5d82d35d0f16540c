#include "store/rocksdb/data_dir.h"

#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <system_error>
#include <vector>

#include <rocksdb/db.h>
#include <rocksdb/iterator.h>
#include <rocksdb/options.h>

#include "store/rocksdb/keys.h"
#include "store/rocksdb/manifest_mark.h"

namespace riffle::store::rocksdb_store {
namespace {

bool StartsWith(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Names RocksDB and the store write into a database directory (and
// lost+found, for a directory that is a mount point).
bool IsStoreFileName(const std::string& name) {
  return name == "CURRENT" || name == "LOCK" || name == "IDENTITY" || name == "lost+found" ||
         name == kManifestMarkFile || name == kManifestMarkTempFile ||
         StartsWith(name, "LOG") || StartsWith(name, "MANIFEST-") || StartsWith(name, "OPTIONS-") ||
         EndsWith(name, ".log") || EndsWith(name, ".sst") || EndsWith(name, ".dbtmp");
}

Status Refuse(const std::string& path, const std::string& why) {
  return Status::StorageError(path + " " + why);
}

// A database lacking some of Riffle's column families is either a store
// whose creation was interrupted (empty) or someone else's: looked at
// read-only, so that a foreign database is left exactly as it was.
Status CheckEmpty(const std::string& path, const std::vector<std::string>& families) {
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const std::string& family : families) descriptors.emplace_back(family, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::OpenForReadOnly(rocksdb::DBOptions(), path, descriptors, &handles, &raw);
  if (!s.ok()) return Refuse(path, "holds a store that cannot be read: " + s.ToString());
  std::unique_ptr<rocksdb::DB> db(raw);
  bool empty = true;
  for (rocksdb::ColumnFamilyHandle* handle : handles) {
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), handle));
    it->SeekToFirst();
    if (it->Valid() || !it->status().ok()) empty = false;
    it.reset();
    db->DestroyColumnFamilyHandle(handle);
  }
  if (!empty) return Refuse(path, "holds a RocksDB database that is not a Riffle store");
  return Status::Ok();
}

}  // namespace

Status CheckDataDir(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::file_status status = fs::status(path, ec);
  if (ec) {
    if (ec == std::errc::no_such_file_or_directory) return Status::Ok();  // created at open
    return Refuse(path, "cannot be inspected: " + ec.message());
  }
  if (!fs::is_directory(status)) return Refuse(path, "is not a directory");
  bool has_current = false;
  std::string foreign;
  for (fs::directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name == "CURRENT") has_current = true;
    if (!IsStoreFileName(name) && foreign.empty()) foreign = name;
  }
  if (ec) return Refuse(path, "cannot be listed: " + ec.message());
  if (!has_current) {
    if (!foreign.empty()) {
      return Refuse(path, "is not empty and holds no Riffle store (found \"" + foreign +
                              "\"); use a new or empty directory");
    }
    return Status::Ok();
  }
  std::vector<std::string> families;
  rocksdb::Status s = rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), path, &families);
  if (!s.ok()) return Refuse(path, "holds a store that cannot be read: " + s.ToString());
  const std::set<std::string> ours = {rocksdb::kDefaultColumnFamilyName, kMetaColumnFamily,
                                      kRecordsColumnFamily, kTimeIndexColumnFamily};
  for (const std::string& family : families) {
    if (ours.count(family) == 0) {
      return Refuse(path, "holds a RocksDB database that is not a Riffle store (column family \"" +
                              family + "\")");
    }
  }
  if (families.size() < ours.size()) return CheckEmpty(path, families);
  return Status::Ok();
}

}  // namespace riffle::store::rocksdb_store
