// ObjectSink: where a channel's delivery writes its objects (an S3-compatible
// service or a local directory). Core decides what to write and when; the
// sink only stores whole objects. Implemented outside core (app/object_sinks.h)
// so core never sees HTTP.
#pragma once

#include <string>

#include "base/status.h"

namespace riffle::core {

struct ObjectPut {
  std::string bucket;          // the bucket's name (from the BucketARN)
  std::string key;             // the object's key, never starting with '/'
  std::string body;            // the object's bytes, compressed as the channel asks
  std::string content_type;    // e.g. "application/octet-stream"
  std::string content_encoding;  // "gzip", "zstd" or empty
  std::string storage_class;   // STANDARD, INTELLIGENT_TIERING or GLACIER_IR
  std::string expected_bucket_owner;  // 12 digits; sent as x-amz-expected-bucket-owner
};

class ObjectSink {
 public:
  virtual ~ObjectSink() = default;
  // Stores the object whole, replacing one of the same key. Blocking; called
  // from the delivery thread only. Ok only once the object is durable where
  // it went (the S3 PUT answered 200; the file synced and renamed in place).
  virtual Status Put(const ObjectPut& object) = 0;
  // What the operator configured, for messages (e.g. "http://127.0.0.1:9000").
  virtual std::string Describe() const = 0;
};

}  // namespace riffle::core
