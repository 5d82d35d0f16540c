// RocksDbStore metadata: the `meta` column family behind a MetaTable.
#include <chrono>
#include <memory>
#include <utility>

#include <rocksdb/db.h>
#include <rocksdb/iterator.h>

#include "store/rocksdb/rocksdb_store_impl.h"
#include "store/single_process.h"
#include "store/rocksdb/writer.h"

namespace riffle::store::rocksdb_store {

using single_process::WallClockMs;

Status RocksDbStore::LoadMeta() {
  std::vector<std::pair<std::string, std::string>> pairs;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf(Cf::kMeta)));
  for (it->SeekToFirst(); it->Valid(); it->Next()) pairs.emplace_back(it->key().ToString(), it->value().ToString());
  if (!it->status().ok()) return Status::StorageError("rocksdb read failed: " + it->status().ToString());
  meta_.Load(std::move(pairs));
  return Status::Ok();
}

StatusOr<std::vector<MetaEntry>> RocksDbStore::ScanMeta(const std::string& prefix) {
  if (closed_) return Status::StorageError("store is closed");
  return meta_.Scan(prefix);
}

StatusOr<std::optional<MetaEntry>> RocksDbStore::GetMeta(const std::string& key, bool ephemeral) {
  if (closed_) return Status::StorageError("store is closed");
  return meta_.Get(key, ephemeral);
}

void RocksDbStore::SetMetaObserver(std::function<void(const MetaChange&)> observer) {
  meta_observer_ = std::move(observer);
}

void RocksDbStore::WriteMeta(MetaWrite write, std::function<void(StatusOr<uint64_t>)> done) {
  if (closed_) return done(Status::StorageError("store is closed"));
  if (write.value && write.value->size() > kMaxMetaValueBytes) {
    return done(Status::InvalidArgument("metadata value too large"));
  }
  if (write.ephemeral) {
    StatusOr<MetaChange> change = meta_.WriteEphemeral(write, WallClockMs());
    if (!change.ok()) return done(change.status());
    if (meta_observer_) meta_observer_(*change);
    done(change->revision);
    return;
  }
  PreparedMutation mutation;
  mutation.AddMeta(write);
  auto shared = std::make_shared<MetaWrite>(std::move(write));
  std::unique_lock lock = meta_.lock();
  StatusOr<uint64_t> revision = meta_.Reserve(*shared);
  if (!revision.ok()) {
    lock.unlock();
    return done(revision.status());
  }
  // Queued under the table's lock: writes of a key reach the writer in
  // revision order.
  const uint64_t rev = *revision;
  bool queued = writer_ && writer_->Submit(std::move(mutation), [this, shared, rev, done](Status s) {
    if (!s.ok()) {
      meta_.Abandon(shared->key);
      return done(s);
    }
    // The observer first: once a write is answered, a barrier (SyncMeta,
    // which waits for nothing here) must find it reported.
    MetaChange change = meta_.Commit(*shared, rev);
    if (meta_observer_) meta_observer_(change);
    done(rev);
  });
  lock.unlock();
  if (!queued) {
    meta_.Abandon(shared->key);
    done(Status::StorageError("store is closed"));
  }
}

}  // namespace riffle::store::rocksdb_store
