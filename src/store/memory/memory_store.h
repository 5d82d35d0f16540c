// The memory store: `riffle serve --in-memory`, everything kept in this
// process's memory and lost when it exits.
//
// A store with nothing to persist needs no storage engine: each log keeps
// the batches appended to it as they came, their bytes copied once into the
// log's slab (record_slab.h: chunks that fault in a huge page at a time), a
// read hands out views of them and keeps their batches alive, and trimming
// drops whole batches from the front. Metadata is a MetaTable
// (revisions from 1, ephemeral keys as in the RocksDB store). Every call
// completes inline, on the caller's thread.
//
// Thread safety: every method is thread-safe. Logs are found under a
// shared lock of the log map; each log has its own mutex, held only to hand
// out counters and to take references to the batches a read views.
#pragma once

#include <memory>

#include "base/status.h"
#include "store/store.h"

namespace riffle::store::memory {

std::unique_ptr<Store> Open();

}  // namespace riffle::store::memory
