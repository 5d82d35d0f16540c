// Conformance: metadata — compare-and-set, deletes, scans, ephemeral keys,
// the change observer, SyncMeta and GetMeta across nodes.
#include <algorithm>
#include <future>
#include <thread>

#include "store/conformance/store_conformance.h"

namespace riffle::store::conformance {
namespace {


TEST_P(StoreConformanceTest, MetaWriteThenGet) {
  const std::string k = NewKeyPrefix() + "k";
  auto missing = a_->GetMeta(k);
  ASSERT_TRUE(missing.ok()) << missing.status().message();
  EXPECT_FALSE(missing->has_value());
  auto rev = Put(*a_, k, "v1", kMustNotExist);
  ASSERT_TRUE(rev.ok()) << rev.status().message();
  EXPECT_GT(*rev, 0u);
  auto got = a_->GetMeta(k);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->key, k);
  EXPECT_EQ((*got)->value, "v1");
  EXPECT_EQ((*got)->revision, *rev);
}

TEST_P(StoreConformanceTest, MetaCompareAndSet) {
  const std::string k = NewKeyPrefix() + "k";
  auto r1 = Put(*a_, k, "v1", kMustNotExist);
  ASSERT_TRUE(r1.ok());
  EXPECT_EQ(Put(*a_, k, "again", kMustNotExist).status().code(), Errc::kConflict);
  EXPECT_EQ(Put(*a_, k, "stale", *r1 + 1000).status().code(), Errc::kConflict);
  auto r2 = Put(*b_, k, "v2", *r1);
  ASSERT_TRUE(r2.ok()) << r2.status().message();
  EXPECT_GT(*r2, *r1);
  EXPECT_EQ(Put(*a_, k, "stale", *r1).status().code(), Errc::kConflict);
  auto r3 = Put(*a_, k, "v3", kAnyRevision);
  ASSERT_TRUE(r3.ok());
  EXPECT_GT(*r3, *r2);
  EXPECT_EQ((*a_->GetMeta(k))->value, "v3");
  // Revisions of different keys come from one increasing sequence.
  auto other = Put(*a_, NewKeyPrefix() + "other", "x");
  ASSERT_TRUE(other.ok());
  EXPECT_GT(*other, *r3);
}

TEST_P(StoreConformanceTest, MetaExactlyOneOfTwoWritersWins) {
  const std::string k = NewKeyPrefix() + "k";
  for (int round = 0; round < 10; ++round) {
    uint64_t expected = kMustNotExist;
    if (round > 0) expected = (*a_->GetMeta(k))->revision;
    StatusOr<uint64_t> ra = Status::Internal("unset"), rb = Status::Internal("unset");
    std::thread ta([&] { ra = Put(*a_, k, "a" + std::to_string(round), expected); });
    std::thread tb([&] { rb = Put(*b_, k, "b" + std::to_string(round), expected); });
    ta.join();
    tb.join();
    ASSERT_NE(ra.ok(), rb.ok()) << "round " << round << ": " << ra.status().message() << " / "
                                << rb.status().message();
    const StatusOr<uint64_t>& lost = ra.ok() ? rb : ra;
    EXPECT_EQ(lost.status().code(), Errc::kConflict);
    auto now = b_->GetMeta(k);
    ASSERT_TRUE(now.ok() && now->has_value());
    EXPECT_EQ((*now)->revision, ra.ok() ? *ra : *rb);
    EXPECT_EQ((*now)->value, (ra.ok() ? "a" : "b") + std::to_string(round));
  }
}

TEST_P(StoreConformanceTest, MetaDeletes) {
  const std::string k = NewKeyPrefix() + "k";
  auto r1 = Put(*a_, k, "v1", kMustNotExist);
  ASSERT_TRUE(r1.ok());
  EXPECT_EQ(Delete(*a_, k, *r1 + 1000).status().code(), Errc::kConflict);
  EXPECT_TRUE((*a_->GetMeta(k)).has_value());
  auto d = Delete(*b_, k, *r1);
  ASSERT_TRUE(d.ok()) << d.status().message();
  EXPECT_GT(*d, *r1);
  EXPECT_FALSE((*a_->GetMeta(k)).has_value());
  EXPECT_EQ(Put(*a_, k, "stale", *r1).status().code(), Errc::kConflict);
  // Deleting an absent key unconditionally succeeds; it can be created again.
  EXPECT_TRUE(Delete(*a_, k).ok());
  EXPECT_TRUE(Delete(*a_, NewKeyPrefix() + "never").ok());
  auto again = Put(*a_, k, "v2", kMustNotExist);
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ((*a_->GetMeta(k))->value, "v2");
}

TEST_P(StoreConformanceTest, ScanMetaReturnsAPrefixInByteOrder) {
  const std::string p = NewKeyPrefix();
  std::vector<std::string> keys = {p + "b",
                                   p + "a.b",
                                   p + "a b",
                                   p + "a",
                                   p + std::string("\xFF\x00z", 3),
                                   p + "A",
                                   p + "a=3D",
                                   p + "a/",
                                   p + std::string(1000, 'x')};
  for (const std::string& k : keys) ASSERT_TRUE(Put(*a_, k, "v:" + k, kMustNotExist).ok()) << k;
  ASSERT_TRUE(Put(*a_, p + "gone", "x").ok());
  ASSERT_TRUE(Delete(*a_, p + "gone").ok());
  ASSERT_TRUE(Put(*a_, p + "eph", "x", kAnyRevision, /*ephemeral=*/true).ok());
  ASSERT_TRUE(Put(*a_, p.substr(0, p.size() - 1) + "-outside", "x").ok());
  auto scan = b_->ScanMeta(p);
  ASSERT_TRUE(scan.ok()) << scan.status().message();
  std::sort(keys.begin(), keys.end());
  ASSERT_EQ(scan->size(), keys.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    EXPECT_EQ((*scan)[i].key, keys[i]);
    EXPECT_EQ((*scan)[i].value, "v:" + keys[i]);
    EXPECT_GT((*scan)[i].revision, 0u);
  }
  auto sub = a_->ScanMeta(p + "a");
  ASSERT_TRUE(sub.ok());
  EXPECT_EQ(sub->size(), 5u);  // a, "a b", a.b, a/, a=3D
}

TEST_P(StoreConformanceTest, EphemeralKeysAreASeparateNamespace) {
  const std::string k = NewKeyPrefix() + "lease";
  auto e = Put(*a_, k, "eph", kMustNotExist, /*ephemeral=*/true);
  ASSERT_TRUE(e.ok()) << e.status().message();
  EXPECT_FALSE((*a_->GetMeta(k)).has_value());
  auto got = b_->GetMeta(k, /*ephemeral=*/true);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->value, "eph");
  EXPECT_EQ((*got)->revision, *e);
  ASSERT_TRUE(Put(*a_, k, "regular", kMustNotExist).ok());
  EXPECT_EQ((*a_->GetMeta(k, true))->value, "eph");
  EXPECT_EQ((*a_->GetMeta(k))->value, "regular");
  EXPECT_EQ(Put(*a_, k, "x", kMustNotExist, true).status().code(), Errc::kConflict);
  auto e2 = Put(*a_, k, "eph2", *e, true);
  ASSERT_TRUE(e2.ok());
  auto scan = a_->ScanMeta(k);
  ASSERT_TRUE(scan.ok());
  ASSERT_EQ(scan->size(), 1u);
  EXPECT_EQ((*scan)[0].value, "regular");
}

// Every write is reported (before or after its own callback: store.h).
TEST_P(StoreConformanceTest, ObserverSeesEveryWrite) {
  const std::string p = NewKeyPrefix();
  std::vector<uint64_t> revisions;
  for (int i = 0; i < 5; ++i) {
    auto r = Put(*a_, p + std::to_string(i), "v" + std::to_string(i), kMustNotExist);
    ASSERT_TRUE(r.ok()) << r.status().message();
    revisions.push_back(*r);
  }
  auto d = Delete(*a_, p + "0", revisions[0]);
  ASSERT_TRUE(d.ok());
  ASSERT_TRUE(a_->SyncMeta().ok());
  auto seen = a_meta_.Snapshot();
  for (int i = 0; i < 5; ++i) {
    auto it = std::find_if(seen.begin(), seen.end(), [&](const MetaChange& c) {
      return c.key == p + std::to_string(i) && c.revision == revisions[static_cast<size_t>(i)];
    });
    ASSERT_NE(it, seen.end()) << i;
    EXPECT_EQ(it->value, "v" + std::to_string(i));
    EXPECT_FALSE(it->ephemeral);
  }
  auto del = std::find_if(seen.begin(), seen.end(),
                          [&](const MetaChange& c) { return c.key == p + "0" && c.revision == *d; });
  ASSERT_NE(del, seen.end());
  EXPECT_FALSE(del->value.has_value());
}

TEST_P(StoreConformanceTest, SyncMetaIsAReadBarrierAcrossNodes) {
  Recorder<MetaChange>& b_seen = multi_node() ? b_meta_ : a_meta_;
  const std::string p = NewKeyPrefix();
  for (int i = 0; i < 5; ++i) {
    auto r = Put(*a_, p + std::to_string(i), "x" + std::to_string(i));
    ASSERT_TRUE(r.ok());
    ASSERT_TRUE(b_->SyncMeta().ok());
    auto seen = b_seen.Snapshot();
    EXPECT_TRUE(std::any_of(seen.begin(), seen.end(), [&](const MetaChange& c) {
      return c.key == p + std::to_string(i) && c.revision == *r && c.value == "x" + std::to_string(i);
    })) << i;
  }
  auto e = Put(*a_, p + "lease", "l", kAnyRevision, true);
  ASSERT_TRUE(e.ok());
  ASSERT_TRUE(b_->SyncMeta().ok());
  auto seen = b_seen.Snapshot();
  EXPECT_TRUE(std::any_of(seen.begin(), seen.end(), [&](const MetaChange& c) {
    return c.key == p + "lease" && c.ephemeral && c.revision == *e;
  }));
}

TEST_P(StoreConformanceTest, GetMetaIsLinearizableAcrossNodes) {
  const std::string k = NewKeyPrefix() + "k";
  uint64_t rev = kMustNotExist;
  for (int i = 0; i < 20; ++i) {
    auto r = Put(i % 2 == 0 ? *a_ : *b_, k, std::to_string(i), rev);
    ASSERT_TRUE(r.ok()) << i << ": " << r.status().message();
    rev = *r;
    Store& other = i % 2 == 0 ? *b_ : *a_;
    auto got = other.GetMeta(k);
    ASSERT_TRUE(got.ok() && got->has_value());
    EXPECT_EQ((*got)->value, std::to_string(i));
    EXPECT_EQ((*got)->revision, rev);
  }
}

}  // namespace
}  // namespace riffle::store::conformance
