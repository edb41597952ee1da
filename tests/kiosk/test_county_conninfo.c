/* The county server's credentials (kiosk/station/county_conninfo.c): the
 * password never reaches what the record keeps, whatever form the conninfo
 * takes (quoted values, escapes, a URI with the password in its user part or
 * its query); DATA_DIR/county.conninfo is 0600, read back as written,
 * cleared by ""; broken conninfos are refused and leave the file as it was. */
#include "kiosk/station/station.h"
#include "tests/test.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void shown_is(const char *conninfo, const char *expected)
{
    char shown[ST_COUNTY_CONNINFO_MAX + 1];
    st_station_county_shown(conninfo, shown, sizeof(shown));
    ASSERT_STR_EQ(shown, expected);
}

static void test_shown(void)
{
    shown_is("host=10.1.2.3 port=5432 dbname=county user=station_1a2b3c4d password=0f9e8d",
             "host=10.1.2.3 port=5432 dbname=county user=station_1a2b3c4d");
    /* add-station's form: quoted values; a quote and a space kept quoted */
    shown_is("host='/tmp/pg x' port='5432' user='a\\'b' password='p w\\'d'",
             "host='/tmp/pg x' port=5432 user='a\\'b'");
    shown_is("password=secret host = h", "host=h");
    shown_is("postgresql://station_1:s3cret@county.example.cn:5432/county",
             "postgresql://station_1@county.example.cn:5432/county");
    shown_is("postgres://u@h/db?password=x&sslmode=require", "postgres://u@h/db?sslmode=require");
    shown_is("postgresql://u@h/db?sslmode=require&password=x",
             "postgresql://u@h/db?sslmode=require");
    shown_is("postgresql://u:p@h/db?password=x", "postgresql://u@h/db");
}

static void brief_is(const char *conninfo, const char *expected)
{
    char brief[ST_COUNTY_CONNINFO_MAX + 1];
    st_station_county_brief(conninfo, brief, sizeof(brief));
    ASSERT_STR_EQ(brief, expected);
}

/* About's one line: who, where, which database; never the password */
static void test_brief(void)
{
    brief_is("host=10.1.2.3 port=5432 dbname=county user=station_1a2b3c4d password=0f9e8d "
             "connect_timeout=10",
             "station_1a2b3c4d@10.1.2.3:5432/county");
    brief_is("hostaddr=127.0.0.1 dbname='县 库' password=x", "127.0.0.1/县 库");
    brief_is("host='/run/postgresql' user=a", "a@/run/postgresql");
    brief_is("postgresql://station_1:s3cret@county.example.cn:5432/county",
             "postgresql://station_1@county.example.cn:5432/county");
    brief_is("", "");
}

static void test_file(const char *dir)
{
    char shown[ST_COUNTY_CONNINFO_MAX + 1], back[ST_COUNTY_CONNINFO_MAX + 1], path[PATH_MAX];
    snprintf(path, sizeof(path), "%s/county.conninfo", dir);
    ASSERT_EQ(st_station_county_get(dir, back, sizeof(back)), -ENOENT);
    const char *c = "host='h' port='5432' dbname='county' user='station_x' password='abc'";
    ASSERT_EQ(st_station_county_set(dir, c, shown, sizeof(shown)), 0);
    ASSERT_STR_EQ(shown, "host=h port=5432 dbname=county user=station_x");
    struct stat sb;
    ASSERT_EQ(stat(path, &sb), 0);
    ASSERT_EQ(sb.st_mode & 0777, 0600);
    ASSERT_EQ(st_station_county_get(dir, back, sizeof(back)), 0);
    ASSERT_STR_EQ(back, c);
    /* refused, and the file stays as it was */
    ASSERT_EQ(st_station_county_set(dir, "host='unterminated", shown, sizeof(shown)), -EINVAL);
    ASSERT_EQ(st_station_county_set(dir, "password=only", shown, sizeof(shown)), -EINVAL);
    ASSERT_EQ(st_station_county_set(dir, "host=h\nuser=u", shown, sizeof(shown)), -EINVAL);
    ASSERT_EQ(st_station_county_set(dir, "no pairs here", shown, sizeof(shown)), -EINVAL);
    ASSERT_EQ(st_station_county_get(dir, back, sizeof(back)), 0);
    ASSERT_STR_EQ(back, c);
    /* cleared */
    ASSERT_EQ(st_station_county_set(dir, "", shown, sizeof(shown)), 0);
    ASSERT_STR_EQ(shown, "");
    ASSERT_NE(access(path, F_OK), 0);
    ASSERT_EQ(st_station_county_set(dir, "", shown, sizeof(shown)), 0);
}

int main(void)
{
    char dir[] = "/tmp/test_county_conninfo.XXXXXX";
    ASSERT_NOT_NULL(mkdtemp(dir));
    RUN_TEST(test_shown);
    RUN_TEST(test_brief);
    test_file(dir);
    ASSERT_EQ(rmdir(dir), 0);
    printf("ok: county conninfo\n");
    return 0;
}
