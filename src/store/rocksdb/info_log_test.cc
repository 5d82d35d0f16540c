#include "store/rocksdb/info_log.h"

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <system_error>

#include <gtest/gtest.h>
#include <rocksdb/env.h>

namespace riffle::store::rocksdb_store {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class InfoLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "riffle-infolog-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  std::string dir_;
};

TEST_F(InfoLogTest, WritesLinesAtOrAboveItsLevel) {
  InfoLog log(dir_, 1 << 20);
  rocksdb::Log(rocksdb::InfoLogLevel::INFO_LEVEL, &log, "flushed %d bytes", 42);
  rocksdb::Log(rocksdb::InfoLogLevel::DEBUG_LEVEL, &log, "not shown");
  rocksdb::Log(rocksdb::InfoLogLevel::WARN_LEVEL, &log, "a warning");
  std::string text = ReadFile(dir_ + "/LOG");
  EXPECT_NE(text.find("flushed 42 bytes\n"), std::string::npos) << text;
  EXPECT_NE(text.find("a warning"), std::string::npos) << text;
  EXPECT_EQ(text.find("not shown"), std::string::npos) << text;
  EXPECT_EQ(log.GetLogFileSize(), text.size());
}

TEST_F(InfoLogTest, KeepsTwoFilesWhenItPassesItsSize) {
  {
    InfoLog log(dir_, 100);
    for (int i = 0; i < 50; ++i) rocksdb::Log(rocksdb::InfoLogLevel::INFO_LEVEL, &log, "line %d", i);
  }
  EXPECT_TRUE(std::filesystem::exists(dir_ + "/LOG.old"));
  std::string last = ReadFile(dir_ + "/LOG");
  EXPECT_NE(last.find("line 49\n"), std::string::npos) << last;
  EXPECT_LT(last.size(), 300u);
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir_)) {
    (void)entry;
    ++files;
  }
  EXPECT_EQ(files, 2);
}

TEST_F(InfoLogTest, AnUnwritableDirectoryCostsLinesNotTheProcess) {
  InfoLog log(dir_ + "/missing", 1 << 20);
  rocksdb::Log(rocksdb::InfoLogLevel::INFO_LEVEL, &log, "lost");
  EXPECT_EQ(log.GetLogFileSize(), 0u);
}

}  // namespace
}  // namespace riffle::store::rocksdb_store
