#include "store/rocksdb/manifest_mark.h"

#include <cstdio>
#include <memory>
#include <string>

#include <rocksdb/file_system.h>

#include "store/codec/checksum.h"
#include "store/rocksdb/keys.h"

namespace riffle::store::rocksdb_store {

using codec::Crc32c;

namespace {

constexpr uint8_t kMarkFormatVersion = 1;
constexpr size_t kMarkSize = 1 + 8 + 8 + 4;
constexpr char kManifestPrefix[] = "MANIFEST-";

std::string ManifestName(uint64_t number) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "MANIFEST-%06llu", static_cast<unsigned long long>(number));
  return buf;
}

Status Refuse(const std::string& dir, const std::string& why) {
  return Status::StorageError(dir + " holds a damaged store: " + why);
}

std::string OverrideHint(const std::string& dir) {
  return "opening it would silently lose newer records (remove " + dir + "/" + kManifestMarkFile +
         " to open it anyway)";
}

}  // namespace

std::string EncodeManifestMark(const ManifestMark& mark) {
  std::string out;
  out.push_back(static_cast<char>(kMarkFormatVersion));
  PutFixed64BE(&out, mark.manifest_number);
  PutFixed64BE(&out, mark.synced_bytes);
  PutFixed32BE(&out, Crc32c(out));
  return out;
}

std::optional<ManifestMark> DecodeManifestMark(std::string_view bytes) {
  if (bytes.size() != kMarkSize || static_cast<uint8_t>(bytes[0]) != kMarkFormatVersion) {
    return std::nullopt;
  }
  if (DecodeFixed32BE(bytes.data() + 17) != Crc32c(bytes.substr(0, 17))) return std::nullopt;
  ManifestMark mark;
  mark.manifest_number = DecodeFixed64BE(bytes.data() + 1);
  mark.synced_bytes = DecodeFixed64BE(bytes.data() + 9);
  return mark;
}

std::optional<uint64_t> ParseManifestName(std::string_view name) {
  if (!name.empty() && name.front() == '/') name.remove_prefix(1);
  if (!name.empty() && name.back() == '\n') name.remove_suffix(1);
  const std::string_view prefix = kManifestPrefix;
  if (name.substr(0, prefix.size()) != prefix) return std::nullopt;
  name.remove_prefix(prefix.size());
  if (name.empty() || name.size() > 19) return std::nullopt;
  uint64_t n = 0;
  for (char c : name) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<uint64_t>(c - '0');
  }
  return n;
}

Status WriteManifestMark(rocksdb::FileSystem* fs, const std::string& dir, const ManifestMark& mark) {
  const std::string temp = dir + "/" + kManifestMarkTempFile;
  const rocksdb::IOOptions io;
  std::unique_ptr<rocksdb::FSWritableFile> file;
  rocksdb::IOStatus s = fs->NewWritableFile(temp, rocksdb::FileOptions(), &file, nullptr);
  if (s.ok()) s = file->Append(EncodeManifestMark(mark), io, nullptr);
  if (s.ok()) s = file->Sync(io, nullptr);
  if (file) {
    rocksdb::IOStatus closed = file->Close(io, nullptr);
    if (s.ok()) s = closed;
  }
  if (s.ok()) s = fs->RenameFile(temp, dir + "/" + kManifestMarkFile, io, nullptr);
  if (s.ok()) {
    std::unique_ptr<rocksdb::FSDirectory> directory;
    s = fs->NewDirectory(dir, io, &directory, nullptr);
    if (s.ok()) s = directory->Fsync(io, nullptr);
    if (directory) directory->Close(io, nullptr).PermitUncheckedError();
  }
  if (!s.ok()) {
    fs->DeleteFile(temp, io, nullptr).PermitUncheckedError();  // e.g. a part written to a full disk
    return Status::StorageError("cannot write " + dir + "/" + kManifestMarkFile + ": " + s.ToString());
  }
  return Status::Ok();
}

Status CheckManifestMark(rocksdb::FileSystem* fs, const std::string& dir) {
  const rocksdb::IOOptions io;
  const std::string mark_path = dir + "/" + kManifestMarkFile;
  rocksdb::IOStatus s = fs->FileExists(mark_path, io, nullptr);
  if (s.IsNotFound()) return Status::Ok();
  uint64_t size = 0;
  if (s.ok()) s = fs->GetFileSize(mark_path, io, &size, nullptr);
  if (!s.ok()) return Status::StorageError("cannot read " + mark_path + ": " + s.ToString());
  if (size != kMarkSize) {
    return Refuse(dir, std::string(kManifestMarkFile) + " is " + std::to_string(size) +
                           " bytes, not a valid mark");
  }
  std::string bytes;
  s = rocksdb::ReadFileToString(fs, mark_path, &bytes);
  if (!s.ok()) return Status::StorageError("cannot read " + mark_path + ": " + s.ToString());
  std::optional<ManifestMark> mark = DecodeManifestMark(bytes);
  if (!mark) return Refuse(dir, std::string(kManifestMarkFile) + " is not a valid mark");
  const std::string recorded = ManifestName(mark->manifest_number) + " (" +
                               std::to_string(mark->synced_bytes) + " bytes synced)";

  const std::string current_path = dir + "/CURRENT";
  s = fs->FileExists(current_path, io, nullptr);
  if (s.IsNotFound()) {
    return Refuse(dir, "its CURRENT file is missing, but Riffle recorded " + recorded);
  }
  std::string current;
  if (s.ok()) s = rocksdb::ReadFileToString(fs, current_path, &current);
  if (!s.ok()) return Status::Ok();  // RocksDB's open reports it
  std::optional<uint64_t> number = ParseManifestName(current);
  if (!number) return Status::Ok();  // garbage: RocksDB's open refuses it
  if (*number > mark->manifest_number) return Status::Ok();  // RocksDB moved on
  const std::string manifest = ManifestName(*number);
  if (*number < mark->manifest_number) {
    return Refuse(dir, "CURRENT names " + manifest + ", older than the " + recorded +
                           " Riffle recorded; " + OverrideHint(dir));
  }
  uint64_t manifest_size = 0;
  s = fs->GetFileSize(dir + "/" + manifest, io, &manifest_size, nullptr);
  if (!s.ok()) return Status::Ok();  // missing or unreadable: RocksDB's open reports it
  if (manifest_size < mark->synced_bytes) {
    return Refuse(dir, manifest + " is " + std::to_string(manifest_size) + " bytes, shorter than the " +
                           std::to_string(mark->synced_bytes) +
                           " bytes Riffle recorded as synced (truncated, or an older copy); " +
                           OverrideHint(dir));
  }
  return Status::Ok();
}

}  // namespace riffle::store::rocksdb_store
