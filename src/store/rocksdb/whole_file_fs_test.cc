#include "store/rocksdb/whole_file_fs.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include <rocksdb/env.h>

namespace riffle::store::rocksdb_store {
namespace {

class WholeFileFsTest : public ::testing::Test {
 protected:
  uint64_t StoredSize(const std::string& name) {
    uint64_t size = 0;
    EXPECT_TRUE(mem_env_->GetFileSystem()->GetFileSize(name, {}, &size, nullptr).ok());
    return size;
  }
  std::string ReadAll(const std::string& name) {
    std::unique_ptr<rocksdb::FSRandomAccessFile> file;
    EXPECT_TRUE(fs_->NewRandomAccessFile(name, {}, &file, nullptr).ok());
    std::string scratch(1024, '\0');
    rocksdb::Slice result;
    EXPECT_TRUE(file->Read(0, scratch.size(), {}, &result, scratch.data(), nullptr).ok());
    return result.ToString();
  }

  std::unique_ptr<rocksdb::Env> mem_env_{rocksdb::NewMemEnv(rocksdb::Env::Default())};
  std::shared_ptr<WholeFileFs> fs_ = std::make_shared<WholeFileFs>(mem_env_->GetFileSystem());
};

TEST_F(WholeFileFsTest, TableFileReachesTheMemoryFileWhenSynced) {
  std::unique_ptr<rocksdb::FSWritableFile> file;
  ASSERT_TRUE(fs_->NewWritableFile("/db/000012.sst", {}, &file, nullptr).ok());
  ASSERT_TRUE(file->Append("table ", {}, nullptr).ok());
  ASSERT_TRUE(file->Flush({}, nullptr).ok());
  ASSERT_TRUE(file->Append("bytes", {}, nullptr).ok());
  EXPECT_EQ(file->GetFileSize({}, nullptr), 11u);  // counts what is collected
  EXPECT_EQ(StoredSize("/db/000012.sst"), 0u);
  ASSERT_TRUE(file->Sync({}, nullptr).ok());
  EXPECT_EQ(StoredSize("/db/000012.sst"), 11u);
  ASSERT_TRUE(file->Close({}, nullptr).ok());
  EXPECT_EQ(ReadAll("/db/000012.sst"), "table bytes");
}

TEST_F(WholeFileFsTest, CloseWithoutSyncKeepsEveryByte) {
  std::unique_ptr<rocksdb::FSWritableFile> file;
  ASSERT_TRUE(fs_->NewWritableFile("/db/000013.sst", {}, &file, nullptr).ok());
  const std::string big(3 << 20, 'x');  // larger than the default reserve
  ASSERT_TRUE(file->Append(big, {}, nullptr).ok());
  ASSERT_TRUE(file->Append("end", {}, nullptr).ok());
  ASSERT_TRUE(file->Close({}, nullptr).ok());
  EXPECT_EQ(StoredSize("/db/000013.sst"), big.size() + 3);
  // A second table file reuses the kept buffer and gets only its own bytes.
  ASSERT_TRUE(fs_->NewWritableFile("/db/000014.sst", {}, &file, nullptr).ok());
  ASSERT_TRUE(file->Append("second", {}, nullptr).ok());
  file.reset();  // destroyed unclosed: still written
  EXPECT_EQ(ReadAll("/db/000014.sst"), "second");
}

TEST_F(WholeFileFsTest, OtherFilesAreWrittenThrough) {
  std::unique_ptr<rocksdb::FSWritableFile> file;
  ASSERT_TRUE(fs_->NewWritableFile("/db/MANIFEST-000001", {}, &file, nullptr).ok());
  ASSERT_TRUE(file->Append("edit", {}, nullptr).ok());
  EXPECT_EQ(StoredSize("/db/MANIFEST-000001"), 4u);
  ASSERT_TRUE(file->Close({}, nullptr).ok());
}

}  // namespace
}  // namespace riffle::store::rocksdb_store
