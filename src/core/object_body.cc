#include "core/object_body.h"

#include <zlib.h>
#include <zstd.h>

namespace riffle::core {

std::string JoinRecords(const std::vector<std::string_view>& records, RecordFormat format) {
  size_t size = 0;
  for (std::string_view r : records) size += r.size() + 1;
  std::string out;
  out.reserve(size);
  for (std::string_view r : records) {
    out.append(r);
    if (format != RecordFormat::kByteArray) out.push_back('\n');
  }
  return out;
}

namespace {

StatusOr<std::string> Gzip(std::string_view in) {
  z_stream z{};
  if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    return Status::Internal("gzip: deflateInit2 failed");
  }
  std::string out(deflateBound(&z, static_cast<uLong>(in.size())) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  if (rc != Z_STREAM_END) return Status::Internal("gzip: deflate failed");
  return out;
}

StatusOr<std::string> Gunzip(std::string_view in) {
  z_stream z{};
  if (inflateInit2(&z, 15 + 16) != Z_OK) return Status::Internal("gzip: inflateInit2 failed");
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  std::string out;
  char buf[1 << 16];
  int rc = Z_OK;
  while (rc == Z_OK) {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof buf;
    rc = inflate(&z, Z_NO_FLUSH);
    out.append(buf, sizeof buf - z.avail_out);
  }
  inflateEnd(&z);
  if (rc != Z_STREAM_END) return Status::InvalidArgument("gzip: not a whole gzip stream");
  return out;
}

}  // namespace

StatusOr<std::string> Compress(std::string_view bytes, ObjectCompression compression) {
  switch (compression) {
    case ObjectCompression::kNone:
      return std::string(bytes);
    case ObjectCompression::kGzip:
      return Gzip(bytes);
    case ObjectCompression::kZstd: {
      std::string out(ZSTD_compressBound(bytes.size()), '\0');
      const size_t n = ZSTD_compress(out.data(), out.size(), bytes.data(), bytes.size(), 3);
      if (ZSTD_isError(n)) return Status::Internal(std::string("zstd: ") + ZSTD_getErrorName(n));
      out.resize(n);
      return out;
    }
  }
  return Status::Internal("unknown compression");
}

StatusOr<std::string> Decompress(std::string_view bytes, ObjectCompression compression) {
  switch (compression) {
    case ObjectCompression::kNone:
      return std::string(bytes);
    case ObjectCompression::kGzip:
      return Gunzip(bytes);
    case ObjectCompression::kZstd: {
      const unsigned long long size = ZSTD_getFrameContentSize(bytes.data(), bytes.size());
      if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN || size > (1ull << 32)) {
        return Status::InvalidArgument("zstd: not a whole zstd frame");
      }
      std::string out(size, '\0');
      const size_t n = ZSTD_decompress(out.data(), out.size(), bytes.data(), bytes.size());
      if (ZSTD_isError(n)) return Status::InvalidArgument(std::string("zstd: ") + ZSTD_getErrorName(n));
      out.resize(n);
      return out;
    }
  }
  return Status::Internal("unknown compression");
}

}  // namespace riffle::core
