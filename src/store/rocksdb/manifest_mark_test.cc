// The manifest mark's byte format and the check made before RocksDB opens a
// data directory (docs/storage-format.md, "RIFFLE-MANIFEST-MARK").
#include "store/rocksdb/manifest_mark.h"
#include "store/store_test_support.h"

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>

#include <gtest/gtest.h>
#include <rocksdb/file_system.h>

namespace riffle::store::rocksdb_store {
namespace {

using ::riffle::store::testing::TempDir;

void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << bytes;
}

rocksdb::FileSystem* Fs() { return rocksdb::FileSystem::Default().get(); }

// A directory that looks like a store whose CURRENT names MANIFEST-`number`
// of `size` bytes, with a mark of `mark`.
void MakeStore(const std::string& dir, uint64_t number, size_t size, ManifestMark mark) {
  char name[32];
  snprintf(name, sizeof name, "MANIFEST-%06llu", static_cast<unsigned long long>(number));
  WriteFile(dir + "/CURRENT", std::string(name) + "\n");
  WriteFile(dir + "/" + name, std::string(size, 'm'));
  ASSERT_TRUE(WriteManifestMark(Fs(), dir, mark).ok());
}

std::string Hex(const std::string& bytes) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    if (!out.empty()) out += ' ';
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

TEST(ManifestMarkTest, EncodingIsTheDocumentedOne) {
  // docs/storage-format.md: version, number, synced bytes (big-endian), CRC32C.
  EXPECT_EQ(Hex(EncodeManifestMark({19, 795})),
            "01 00 00 00 00 00 00 00 13 00 00 00 00 00 00 03 1b 54 9d 24 8d");
}

TEST(ManifestMarkTest, DecodeRoundTripsAndRejectsDamage) {
  const std::string bytes = EncodeManifestMark({0x0102030405060708ULL, 0xfffffffffffULL});
  std::optional<ManifestMark> mark = DecodeManifestMark(bytes);
  ASSERT_TRUE(mark);
  EXPECT_EQ(mark->manifest_number, 0x0102030405060708ULL);
  EXPECT_EQ(mark->synced_bytes, 0xfffffffffffULL);
  for (size_t i = 0; i < bytes.size(); ++i) {
    std::string damaged = bytes;
    damaged[i] = static_cast<char>(damaged[i] ^ 0x10);
    EXPECT_FALSE(DecodeManifestMark(damaged)) << "byte " << i;
  }
  EXPECT_FALSE(DecodeManifestMark(bytes.substr(0, 20)));
  EXPECT_FALSE(DecodeManifestMark(bytes + "x"));
  EXPECT_FALSE(DecodeManifestMark(""));
}

TEST(ManifestMarkTest, ParsesManifestNames) {
  EXPECT_EQ(ParseManifestName("MANIFEST-000019"), 19u);
  EXPECT_EQ(ParseManifestName("/MANIFEST-000019"), 19u);
  EXPECT_EQ(ParseManifestName("MANIFEST-1234567\n"), 1234567u);
  EXPECT_FALSE(ParseManifestName("MANIFEST-"));
  EXPECT_FALSE(ParseManifestName("MANIFEST-12a"));
  EXPECT_FALSE(ParseManifestName("OPTIONS-000019"));
  EXPECT_FALSE(ParseManifestName("/000019.sst"));
  EXPECT_FALSE(ParseManifestName("MANIFEST-99999999999999999999"));
}

TEST(ManifestMarkTest, WriteReplacesTheMarkAndLeavesNoTempFile) {
  TempDir dir;
  ASSERT_TRUE(WriteManifestMark(Fs(), dir.path(), {5, 100}).ok());
  ASSERT_TRUE(WriteManifestMark(Fs(), dir.path(), {7, 42}).ok());
  std::string bytes;
  ASSERT_TRUE(rocksdb::ReadFileToString(Fs(), dir.path() + "/" + kManifestMarkFile, &bytes).ok());
  std::optional<ManifestMark> mark = DecodeManifestMark(bytes);
  ASSERT_TRUE(mark);
  EXPECT_EQ(mark->manifest_number, 7u);
  EXPECT_EQ(mark->synced_bytes, 42u);
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/" + kManifestMarkTempFile));
}

TEST(ManifestMarkTest, NoMarkIsNothingToCheck) {
  TempDir dir;
  EXPECT_TRUE(CheckManifestMark(Fs(), dir.path()).ok());
  WriteFile(dir.path() + "/CURRENT", "MANIFEST-000003\n");
  EXPECT_TRUE(CheckManifestMark(Fs(), dir.path()).ok());
}

TEST(ManifestMarkTest, AcceptsAManifestAtLeastAsLongOrNewer) {
  TempDir same, longer, newer;
  MakeStore(same.path(), 12, 500, {12, 500});
  EXPECT_TRUE(CheckManifestMark(Fs(), same.path()).ok());
  MakeStore(longer.path(), 12, 900, {12, 500});
  EXPECT_TRUE(CheckManifestMark(Fs(), longer.path()).ok());
  // RocksDB started MANIFEST-13 (e.g. at an open) before the mark caught up.
  MakeStore(newer.path(), 13, 100, {12, 500});
  EXPECT_TRUE(CheckManifestMark(Fs(), newer.path()).ok());
}

TEST(ManifestMarkTest, RefusesAShorterManifest) {
  TempDir dir;
  MakeStore(dir.path(), 12, 499, {12, 500});
  Status s = CheckManifestMark(Fs(), dir.path());
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find(dir.path()), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("MANIFEST-000012 is 499 bytes, shorter than the 500 bytes"), std::string::npos)
      << s.message();
}

TEST(ManifestMarkTest, RefusesAnOlderManifest) {
  TempDir dir;
  MakeStore(dir.path(), 11, 5000, {12, 500});
  Status s = CheckManifestMark(Fs(), dir.path());
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("CURRENT names MANIFEST-000011, older than the MANIFEST-000012"),
            std::string::npos)
      << s.message();
}

TEST(ManifestMarkTest, RefusesAMarkWithoutCurrent) {
  TempDir dir;
  ASSERT_TRUE(WriteManifestMark(Fs(), dir.path(), {12, 500}).ok());
  Status s = CheckManifestMark(Fs(), dir.path());
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("CURRENT file is missing"), std::string::npos) << s.message();
}

TEST(ManifestMarkTest, RefusesADamagedMark) {
  TempDir dir;
  MakeStore(dir.path(), 12, 500, {12, 500});
  std::string bytes = EncodeManifestMark({12, 500});
  bytes[10] = 'x';
  WriteFile(dir.path() + "/" + kManifestMarkFile, bytes);
  Status s = CheckManifestMark(Fs(), dir.path());
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("not a valid mark"), std::string::npos) << s.message();
  WriteFile(dir.path() + "/" + kManifestMarkFile, "");
  EXPECT_FALSE(CheckManifestMark(Fs(), dir.path()).ok());
}

TEST(ManifestMarkTest, LeavesGarbageCurrentAndMissingManifestToRocksDb) {
  TempDir garbage, missing;
  ASSERT_TRUE(WriteManifestMark(Fs(), garbage.path(), {12, 500}).ok());
  WriteFile(garbage.path() + "/CURRENT", "\x01\x02junk");
  EXPECT_TRUE(CheckManifestMark(Fs(), garbage.path()).ok());
  ASSERT_TRUE(WriteManifestMark(Fs(), missing.path(), {12, 500}).ok());
  WriteFile(missing.path() + "/CURRENT", "MANIFEST-000012\n");
  EXPECT_TRUE(CheckManifestMark(Fs(), missing.path()).ok());
}

}  // namespace
}  // namespace riffle::store::rocksdb_store
