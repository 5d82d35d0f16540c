#include "store/rocksdb/data_dir.h"

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <rocksdb/options.h>

#include "store/rocksdb/rocksdb_store.h"
#include "store/store.h"
#include "store/store_test_support.h"

namespace riffle::store::rocksdb_store {
namespace {

using ::riffle::store::testing::TempDir;

StatusOr<std::unique_ptr<Store>> OpenAt(const std::string& path) {
  Options o;
  o.path = path;
  return OpenRocksDbStore(o);
}

void ExpectRefused(const std::string& path, const std::string& why) {
  auto s = OpenAt(path);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find(why), std::string::npos) << s.status().message();
}

TEST(DataDirTest, NewEmptyAndOwnDirectoriesAreAccepted) {
  TempDir dir;
  EXPECT_TRUE(CheckDataDir(dir.path() + "/missing").ok());
  EXPECT_TRUE(CheckDataDir(dir.path()).ok());
  {
    auto s = OpenAt(dir.path());
    ASSERT_TRUE(s.ok()) << s.status().message();
  }
  EXPECT_TRUE(CheckDataDir(dir.path()).ok());
  auto again = OpenAt(dir.path());
  EXPECT_TRUE(again.ok()) << again.status().message();
}

TEST(DataDirTest, AFileIsRefused) {
  TempDir dir;
  const std::string file = dir.path() + "/plain";
  std::ofstream(file) << "x";
  ExpectRefused(file, "is not a directory");
}

TEST(DataDirTest, ADirectoryWithOtherFilesIsRefused) {
  TempDir dir;
  std::ofstream(dir.path() + "/notes.txt") << "mine";
  ExpectRefused(dir.path(), "notes.txt");
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/CURRENT"));  // nothing created there
}

TEST(DataDirTest, ARocksDbOfAnotherProgramIsRefused) {
  TempDir with_family;
  TempDir with_keys;
  {
    rocksdb::Options options;
    options.create_if_missing = true;
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(options, with_family.path(), &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    rocksdb::ColumnFamilyHandle* cf = nullptr;
    ASSERT_TRUE(db->CreateColumnFamily(rocksdb::ColumnFamilyOptions(), "users", &cf).ok());
    ASSERT_TRUE(db->DestroyColumnFamilyHandle(cf).ok());
  }
  {
    rocksdb::Options options;
    options.create_if_missing = true;
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(options, with_keys.path(), &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), "user:1", "alice").ok());
  }
  ExpectRefused(with_family.path(), "not a Riffle store");
  ExpectRefused(with_keys.path(), "not a Riffle store");
  // Refused without being touched: no column family was added to it.
  std::vector<std::string> families;
  ASSERT_TRUE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), with_keys.path(), &families).ok());
  EXPECT_EQ(families, std::vector<std::string>{rocksdb::kDefaultColumnFamilyName});
}

}  // namespace
}  // namespace riffle::store::rocksdb_store
