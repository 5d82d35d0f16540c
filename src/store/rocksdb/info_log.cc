#include "store/rocksdb/info_log.h"

#include <sys/time.h>

#include <algorithm>

#include <cstdio>
#include <ctime>
#include <utility>

namespace riffle::store::rocksdb_store {

InfoLog::InfoLog(std::string dir, size_t max_bytes)
    : rocksdb::Logger(rocksdb::InfoLogLevel::INFO_LEVEL), path_(std::move(dir) + "/LOG"), max_bytes_(max_bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  OpenLocked();
}

InfoLog::~InfoLog() { CloseImpl().PermitUncheckedError(); }

void InfoLog::OpenLocked() {
  file_ = std::fopen(path_.c_str(), "a");
  size_ = 0;
  if (file_ != nullptr) {
    long end = std::ftell(file_);
    size_ = end > 0 ? static_cast<size_t>(end) : 0;
  }
}

void InfoLog::Logv(const char* format, va_list ap) {
  char line[2048];
  struct timeval now;
  gettimeofday(&now, nullptr);
  struct tm t;
  localtime_r(&now.tv_sec, &t);
  int head = std::snprintf(line, sizeof(line), "%04d/%02d/%02d-%02d:%02d:%02d.%06ld ", t.tm_year + 1900,
                           t.tm_mon + 1, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec,
                           static_cast<long>(now.tv_usec));
  if (head < 0) return;
  va_list copy;
  va_copy(copy, ap);
  int body = std::vsnprintf(line + head, sizeof(line) - static_cast<size_t>(head), format, copy);
  va_end(copy);
  if (body < 0) return;
  size_t length = std::min(sizeof(line) - 1, static_cast<size_t>(head) + static_cast<size_t>(body));

  std::lock_guard<std::mutex> lock(mu_);
  if (file_ != nullptr && size_ > max_bytes_) {
    std::fclose(file_);
    std::rename(path_.c_str(), (path_ + ".old").c_str());
    file_ = std::fopen(path_.c_str(), "w");
    size_ = 0;
  }
  if (file_ == nullptr) return;
  // Errors (a full disk) are ignored: the line is lost, nothing else.
  size_ += std::fwrite(line, 1, length, file_);
  if (length == 0 || line[length - 1] != '\n') size_ += std::fwrite("\n", 1, 1, file_);
  std::fflush(file_);
  std::clearerr(file_);
}

size_t InfoLog::GetLogFileSize() const {
  std::lock_guard<std::mutex> lock(mu_);
  return size_;
}

rocksdb::Status InfoLog::CloseImpl() {
  std::lock_guard<std::mutex> lock(mu_);
  if (file_ != nullptr) {
    std::fclose(file_);
    file_ = nullptr;
  }
  return rocksdb::Status::OK();
}

}  // namespace riffle::store::rocksdb_store
