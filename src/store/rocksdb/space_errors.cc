#include "store/rocksdb/space_errors.h"

#include <cerrno>
#include <cstring>
#include <string>

namespace riffle::store::rocksdb_store {

// Any reason alike: log, flush and compaction writes.
void SpaceErrorListener::OnBackgroundError(rocksdb::BackgroundErrorReason /*reason*/, rocksdb::Status* bg_error) {
  if (bg_error == nullptr || !bg_error->IsIOError()) return;
  if (bg_error->severity() <= rocksdb::Status::Severity::kHardError) return;
  const std::string text = bg_error->ToString();
  if (text.find(std::strerror(EFBIG)) == std::string::npos) return;
  *bg_error = rocksdb::Status(*bg_error, rocksdb::Status::Severity::kHardError);
}

}  // namespace riffle::store::rocksdb_store
