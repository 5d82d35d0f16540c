#include "store/jetstream/nats_status.h"

#include <gtest/gtest.h>

namespace riffle::store::jetstream {
namespace {

TEST(NatsStatusTest, TransientClusterStatesAreUnavailable) {
  // Retried within the retry budget (RetryUnavailable), answered 503 after it.
  EXPECT_EQ(FromNats(NATS_ERR, JSClusterNotAvailErr, "x").code(), Errc::kUnavailable);
  EXPECT_EQ(FromNats(NATS_ERR, JSClusterNoPeersErr, "x").code(), Errc::kUnavailable);  // a peer offline
  EXPECT_EQ(FromNats(NATS_TIMEOUT, static_cast<jsErrCode>(0), "x").code(), Errc::kUnavailable);
  EXPECT_EQ(FromNats(NATS_NO_RESPONDERS, static_cast<jsErrCode>(0), "x").code(), Errc::kUnavailable);
}

TEST(NatsStatusTest, DefiniteAnswersKeepTheirMeaning) {
  EXPECT_EQ(FromNats(NATS_ERR, JSStreamSealedErr, "x").code(), Errc::kSealed);
  EXPECT_EQ(FromNats(NATS_ERR, JSStreamNotFoundErr, "x").code(), Errc::kResourceNotFound);
  EXPECT_EQ(FromNats(NATS_ERR, JSStreamWrongLastSequenceErr, "x").code(), Errc::kConflict);
  EXPECT_EQ(FromNats(NATS_ERR, JSStreamInvalidConfig, "x").code(), Errc::kStorageError);
}

}  // namespace
}  // namespace riffle::store::jetstream
