// libriffle-kinesis: a C++ client for the Amazon Kinesis Data Streams API,
// against Riffle or AWS (docs/client.md). One include for all of it:
//   Client         riffle/kinesis/client.h        one method per operation
//   Paginator      riffle/kinesis/paginator.h     list operations page by page
//   ShardSubscription riffle/kinesis/subscription.h  SubscribeToShard over HTTP/2
//   Producer       riffle/kinesis/producer.h      batching, KPL aggregation, retries
//   StreamReader   riffle/kinesis/stream_reader.h a whole stream, across resharding
//   aggregation    riffle/kinesis/aggregation.h   the KPL aggregated record format
// Link: find_package(RiffleKinesis) + Riffle::kinesis, or pkg-config riffle-kinesis.
#pragma once

#include "riffle/kinesis/aggregation.h"
#include "riffle/kinesis/client.h"
#include "riffle/kinesis/credentials.h"
#include "riffle/kinesis/error.h"
#include "riffle/kinesis/model.h"
#include "riffle/kinesis/paginator.h"
#include "riffle/kinesis/producer.h"
#include "riffle/kinesis/stream_reader.h"
#include "riffle/kinesis/subscription.h"
