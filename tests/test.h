/* Minimal assertion macros for studycast's unit tests (libuv-style): each
 * failure prints file, line and both values, then aborts the test process so
 * that CTest counts it as failed. */
#ifndef STUDYCAST_TEST_H
#define STUDYCAST_TEST_H

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TEST_FAIL(...)                                                                     \
    do {                                                                                   \
        fprintf(stderr, "%s:%d: ", __FILE__, __LINE__);                                    \
        fprintf(stderr, __VA_ARGS__);                                                      \
        fprintf(stderr, "\n");                                                             \
        abort();                                                                           \
    } while (0)

#define ASSERT_TRUE(cond)                                                                  \
    do {                                                                                   \
        if (!(cond))                                                                       \
            TEST_FAIL("assertion failed: %s", #cond);                                      \
    } while (0)

#define ASSERT_FALSE(cond) ASSERT_TRUE(!(cond))

#define ASSERT_CMP_INT(a, op, b)                                                           \
    do {                                                                                   \
        int64_t a_ = (int64_t)(a), b_ = (int64_t)(b);                                      \
        if (!(a_ op b_))                                                                   \
            TEST_FAIL("%s %s %s: %" PRId64 " vs %" PRId64, #a, #op, #b, a_, b_);           \
    } while (0)

#define ASSERT_EQ(a, b) ASSERT_CMP_INT(a, ==, b)
#define ASSERT_NE(a, b) ASSERT_CMP_INT(a, !=, b)
#define ASSERT_LT(a, b) ASSERT_CMP_INT(a, <, b)
#define ASSERT_LE(a, b) ASSERT_CMP_INT(a, <=, b)
#define ASSERT_GT(a, b) ASSERT_CMP_INT(a, >, b)
#define ASSERT_GE(a, b) ASSERT_CMP_INT(a, >=, b)

#define ASSERT_NEAR(a, b, eps)                                                             \
    do {                                                                                   \
        double a_ = (double)(a), b_ = (double)(b);                                         \
        if (!(fabs(a_ - b_) <= (eps)))                                                     \
            TEST_FAIL("%s ~= %s: %g vs %g (eps %g)", #a, #b, a_, b_, (double)(eps));       \
    } while (0)

#define ASSERT_STR_EQ(a, b)                                                                \
    do {                                                                                   \
        const char *a_ = (a), *b_ = (b);                                                   \
        if (!a_ || !b_ || strcmp(a_, b_) != 0)                                             \
            TEST_FAIL("%s == %s: \"%s\" vs \"%s\"", #a, #b, a_ ? a_ : "(null)",            \
                      b_ ? b_ : "(null)");                                                 \
    } while (0)

#define ASSERT_NOT_NULL(p) ASSERT_TRUE((p) != NULL)

/* Runs one test function, printing its name so a failure is easy to place. */
#define RUN_TEST(fn)                                                                       \
    do {                                                                                   \
        fprintf(stderr, "-- %s\n", #fn);                                                   \
        fn();                                                                              \
    } while (0)

#endif
