/* The UTC month a batch is cut at must be the one the schema's CHECK computes
 * (studycast.utc_month): known instants, month and year ends, a clock before
 * 1970 and int64's ends. county_sync.sh asks PostgreSQL the same values. */
#include "kiosk/county/county.h"
#include "tests/test.h"

static void expect(int64_t utc_ns, const char *want)
{
    char got[11];
    cty_utc_month(utc_ns, got);
    ASSERT_STR_EQ(got, want);
}

static void test_months(void)
{
    expect(0, "1970-01-01");
    expect(-1, "1969-12-01");
    expect(1764547199999999999, "2025-11-01"); /* 2025-12-01T00:00:00Z less 1 ns */
    expect(1764547200000000000, "2025-12-01");
    expect(1798761599999999999, "2026-12-01"); /* the last ns of 2026 */
    expect(1798761600000000000, "2027-01-01");
    expect(951782400000000000, "2000-02-01"); /* 2000-02-29T00:00:00Z, a leap day */
    expect(INT64_MAX, "2262-04-01");
    expect(INT64_MIN, "1677-09-01");
}

int main(void)
{
    RUN_TEST(test_months);
    return 0;
}
