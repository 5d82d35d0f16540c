// The manifest mark: Riffle's own synced record of how much of RocksDB's
// current MANIFEST was synced, kept in DATA_DIR/RIFFLE-MANIFEST-MARK and
// checked before RocksDB opens the directory. A MANIFEST found shorter than
// its mark (truncated, or an older copy put back) would otherwise look to
// RocksDB like a crash during a MANIFEST write: it would recover the older
// state and delete the newer table files as obsolete. Format and the rules of
// the check: docs/storage-format.md, "RIFFLE-MANIFEST-MARK".
//
// All file access goes through the given rocksdb::FileSystem (so a test's
// fault-injection FileSystem sees the mark's writes too). Stateless;
// thread-safe as long as one directory's mark has one writer at a time
// (ManifestRecorder serialises them).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"

namespace rocksdb {
class FileSystem;
}  // namespace rocksdb

namespace riffle::store::rocksdb_store {

// File names in the data directory. Persisted: do not change.
inline constexpr char kManifestMarkFile[] = "RIFFLE-MANIFEST-MARK";
inline constexpr char kManifestMarkTempFile[] = "RIFFLE-MANIFEST-MARK.tmp";

struct ManifestMark {
  uint64_t manifest_number = 0;  // N of MANIFEST-N
  uint64_t synced_bytes = 0;     // bytes of it RocksDB had synced
};

// Newer: a higher MANIFEST number, or the same one grown.
inline bool IsNewer(const ManifestMark& a, const ManifestMark& b) {
  return a.manifest_number != b.manifest_number ? a.manifest_number > b.manifest_number
                                                : a.synced_bytes > b.synced_bytes;
}

// The 21-byte encoding (format version 1) and its decoder (nullopt when the
// size, version or checksum is wrong).
std::string EncodeManifestMark(const ManifestMark& mark);
std::optional<ManifestMark> DecodeManifestMark(std::string_view bytes);

// "MANIFEST-000012" -> 12; nullopt for anything else. Accepts the leading
// "/" of DB::GetLiveFiles and the trailing newline of CURRENT.
std::optional<uint64_t> ParseManifestName(std::string_view name);

// Replaces the mark atomically and durably: temp file, sync, rename, sync
// of the directory.
Status WriteManifestMark(rocksdb::FileSystem* fs, const std::string& dir, const ManifestMark& mark);

// Ok when there is no mark, or the MANIFEST that CURRENT names is at least
// what the mark says was synced (or newer); otherwise a StorageError naming
// `dir` and what is missing. Only reads.
Status CheckManifestMark(rocksdb::FileSystem* fs, const std::string& dir);

}  // namespace riffle::store::rocksdb_store
