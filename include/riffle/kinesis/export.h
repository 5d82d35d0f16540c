// RIFFLE_KINESIS_EXPORT marks what libriffle-kinesis exports; everything else
// in the shared library is hidden (built with -fvisibility=hidden).
#pragma once

#if defined(_WIN32)
#define RIFFLE_KINESIS_EXPORT
#else
#define RIFFLE_KINESIS_EXPORT __attribute__((visibility("default")))
#endif
