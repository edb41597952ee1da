/* DVB text (EN 300 468 annex A) to UTF-8: reference outputs for every
 * character table, the control codes in one- and two-byte tables, wrong
 * selectors and invalid input. */
#include "demux/demux.h"
#include "tests/test.h"

#define FFFD "\xEF\xBF\xBD"

static void check(const char *in, size_t len, int charset, const char *expected)
{
    char *out = dmx_text_to_utf8((const uint8_t *)in, len, charset);
    ASSERT_NOT_NULL(out);
    if (strcmp(out, expected) != 0) {
        fprintf(stderr, "input:");
        for (size_t i = 0; i < len; i++)
            fprintf(stderr, " %02x", (unsigned char)in[i]);
        fprintf(stderr, "\n");
    }
    ASSERT_STR_EQ(out, expected);
    free(out);
}

#define CHECK(lit, charset, expected) check(lit, sizeof(lit) - 1, charset, expected)

static void test_default_table(void)
{
    CHECK("Plain ASCII 123", DMX_CHARSET_DEFAULT, "Plain ASCII 123");
    /* diacritics come before the letter and compose */
    CHECK("Kh\xC2"
          "eops",
          DMX_CHARSET_DEFAULT, "Khéops");
    CHECK("\xC1"
          "a\xC3"
          "o\xC8"
          "u\xCB"
          "c\xCF"
          "s\xCA"
          "A\xCD"
          "o\xCE"
          "e",
          DMX_CHARSET_DEFAULT, "àôüçšÅőę");
    CHECK("\xC2"
          "E\xC4"
          "n\xC6"
          "g\xC7"
          "z\xC5"
          "a",
          DMX_CHARSET_DEFAULT, "Éñğżā");
    /* no precomposed form: letter + combining mark */
    CHECK("\xC5"
          "x",
          DMX_CHARSET_DEFAULT, "x\xCC\x84");
    /* diacritic + space is the spacing accent */
    CHECK("\xC2 ", DMX_CHARSET_DEFAULT, "´");
    /* euro at 0xA4 (annex A), and the other specials */
    CHECK("\xA4 5 \xA3 \xA8 \xE8\xF8 \xEA\xFA \xFB \xD4 \xB4", DMX_CHARSET_DEFAULT,
          "€ 5 £ ¤ Łł Œœ ß ™ ×");
    /* undefined positions, a diacritic at the end or before a non-letter */
    CHECK("a\xA6"
          "b\xC0"
          "c",
          DMX_CHARSET_DEFAULT, "a" FFFD "b" FFFD "c");
    CHECK("end\xC2", DMX_CHARSET_DEFAULT, "end" FFFD);
    CHECK("\xC2\xA4", DMX_CHARSET_DEFAULT, FFFD "€");
    /* control codes: emphasis dropped, CR/LF a newline, C0 dropped */
    CHECK("\x86"
          "Big\x87 news\x8A"
          "line 2\x01\x1F",
          DMX_CHARSET_DEFAULT, "Big news\nline 2");
    check("", 0, DMX_CHARSET_DEFAULT, "");
}

static void test_iso8859_selectors(void)
{
    CHECK("\x01\xB0\xD1", DMX_CHARSET_DEFAULT, "Аб");           /* 8859-5 */
    CHECK("\x02\xC7", DMX_CHARSET_DEFAULT, "ا");                /* 8859-6 */
    CHECK("\x03\xC1\xEB\xF6\xE1", DMX_CHARSET_DEFAULT, "Αλφα"); /* 8859-7 */
    CHECK("\x04\xE0", DMX_CHARSET_DEFAULT, "א");                /* 8859-8 */
    CHECK("\x05\xDD\xFE", DMX_CHARSET_DEFAULT, "İş");           /* 8859-9 */
    CHECK("\x06\xA1", DMX_CHARSET_DEFAULT, "Ą");                /* 8859-10 */
    CHECK("\x07\xA1", DMX_CHARSET_DEFAULT, "ก");                /* 8859-11 */
    CHECK("\x09\xA1", DMX_CHARSET_DEFAULT, "”");                /* 8859-13 */
    CHECK("\x0A\xA1", DMX_CHARSET_DEFAULT, "Ḃ");                /* 8859-14 */
    CHECK("\x0B\xA4", DMX_CHARSET_DEFAULT, "€");                /* 8859-15 */
    /* three-byte form 0x10 0x00 NN */
    CHECK("\x10\x00\x02\xB1", DMX_CHARSET_DEFAULT, "ą");
    CHECK("\x10\x00\x09"
          "Kh\xE9ops",
          DMX_CHARSET_DEFAULT, "Khéops");
    CHECK("\x10\x00\x01\xE9t\xE9", DMX_CHARSET_DEFAULT, "été");
    /* control codes in a one-byte table */
    CHECK("\x05"
          "a\x86"
          "b\x87"
          "c\x8A"
          "d",
          DMX_CHARSET_DEFAULT, "abc\nd");
    /* undefined position in 8859-7 (0xAE) and 8859-3 (0xA5) */
    CHECK("\x03\xAE", DMX_CHARSET_DEFAULT, FFFD);
    CHECK("\x10\x00\x03\xA5", DMX_CHARSET_DEFAULT, FFFD);
}

static void test_two_byte_tables(void)
{
    /* UCS-2 BE */
    CHECK("\x11\x4E\x2D\x65\x87\x00\x41", DMX_CHARSET_DEFAULT, "中文A");
    CHECK("\x11\x4E\x2D\xE0\x8A\x65\x87\xE0\x86\x00\x42\xE0\x87", DMX_CHARSET_DEFAULT, "中\n文B");
    CHECK("\x11\x4E\x2D\x65", DMX_CHARSET_DEFAULT, "中" FFFD);    /* odd length */
    CHECK("\x11\xD8\x00\x00\x41", DMX_CHARSET_DEFAULT, FFFD "A"); /* lone surrogate */
    CHECK("\x11\xD8\x3D\xDE\x00", DMX_CHARSET_DEFAULT, "😀");      /* surrogate pair */
    /* KS X 1001 (EUC-KR) */
    CHECK("\x12\xC7\xD1\xB1\xB9", DMX_CHARSET_DEFAULT, "한국");
    CHECK("\x12\xC7\xD1\xE0\x8A\xB1\xB9", DMX_CHARSET_DEFAULT, "한\n국");
    /* GB2312, decoded as GB18030 */
    CHECK("\x13\xD6\xD0\xCE\xC4\xBF\xCE\xB3\xCC", DMX_CHARSET_DEFAULT, "中文课程");
    CHECK("\x13\xD6\xD0\xE0\x86\xCE\xC4\xE0\x87\xE0\x8A"
          "2",
          DMX_CHARSET_DEFAULT, "中文\n2");
    CHECK("\x13\x81\x40", DMX_CHARSET_DEFAULT, "丂"); /* GBK extension */
    CHECK("\x13\xD6\xD0\xFF\xCE\xC4", DMX_CHARSET_DEFAULT, "中" FFFD "文");
    CHECK("\x13\xD6\xD0\xCE", DMX_CHARSET_DEFAULT, "中" FFFD); /* truncated */
    /* a lead byte whose trail byte is 0xE0 is one character, not a control */
    CHECK("\x13\xB0\xE0\x8A", DMX_CHARSET_DEFAULT, "班" FFFD);
    /* Big5 */
    CHECK("\x14\xA4\xA4\xA4\xE5", DMX_CHARSET_DEFAULT, "中文");
    CHECK("\x14\xA4\xA4\xE0\x8A\xA4\xE5", DMX_CHARSET_DEFAULT, "中\n文");
    /* UTF-8 */
    CHECK("\x15"
          "中文 courses",
          DMX_CHARSET_DEFAULT, "中文 courses");
    CHECK("\x15"
          "a\xC2\x86"
          "b\xC2\x87\xC2\x8A"
          "c",
          DMX_CHARSET_DEFAULT, "ab\nc");
    CHECK("\x15\xC3\x28\xE4\xB8", DMX_CHARSET_DEFAULT, FFFD "(" FFFD FFFD);
    CHECK("\x15\xC0\xAF\xED\xA0\x80", DMX_CHARSET_DEFAULT, FFFD FFFD FFFD FFFD FFFD);
}

static void test_wrong_selectors(void)
{
    CHECK("\x0C"
          "abc",
          DMX_CHARSET_DEFAULT, "abc"); /* reserved: default table */
    CHECK("\x16\xC2"
          "e",
          DMX_CHARSET_DEFAULT, "é");
    CHECK("\x00"
          "abc",
          DMX_CHARSET_DEFAULT, "abc");
    CHECK("\x1F\x01\x02\x03", DMX_CHARSET_DEFAULT, FFFD); /* encoded text we cannot read */
    CHECK("\x10", DMX_CHARSET_DEFAULT, "");
    CHECK("\x10\x00", DMX_CHARSET_DEFAULT, "");
    CHECK("\x10\x00\x0C\xC2"
          "e",
          DMX_CHARSET_DEFAULT, "é"); /* 8859-12 does not exist */
    CHECK("\x10\x00\x63"
          "x",
          DMX_CHARSET_DEFAULT, "x");
    CHECK("\x11", DMX_CHARSET_DEFAULT, "");
    CHECK("\x13", DMX_CHARSET_DEFAULT, "");
}

static void test_override(void)
{
    /* streams that send GB2312 or UTF-8 without a selector */
    CHECK("\xD6\xD0\xCE\xC4", DMX_CHARSET_GB2312, "中文");
    CHECK("中文", DMX_CHARSET_UTF8, "中文");
    CHECK("\xE9t\xE9", 1, "été");
    /* a selector still wins over the override */
    CHECK("\x15中", DMX_CHARSET_GB2312, "中");
    ASSERT_EQ(dmx_charset_parse("gb2312"), DMX_CHARSET_GB2312);
    ASSERT_EQ(dmx_charset_parse("UTF-8"), DMX_CHARSET_UTF8);
    ASSERT_EQ(dmx_charset_parse("iso-8859-9"), 9);
    ASSERT_EQ(dmx_charset_parse("iso8859-12"), -1);
    ASSERT_EQ(dmx_charset_parse("iso6937"), DMX_CHARSET_DEFAULT);
    ASSERT_EQ(dmx_charset_parse("big5"), DMX_CHARSET_BIG5);
    ASSERT_EQ(dmx_charset_parse("klingon"), -1);
}

/* Every single and double byte after every selector: no crash, valid UTF-8. */
static void test_exhaustive_no_crash(void)
{
    for (int sel = 0; sel < 0x22; sel++) {
        for (int a = 0; a < 256; a++) {
            for (int b = 0; b < 256; b += 7) {
                uint8_t in[4] = {(uint8_t)sel, 0, (uint8_t)a, (uint8_t)b};
                char *out = dmx_text_to_utf8(in, sel == 0x10 ? 4 : 3, DMX_CHARSET_DEFAULT);
                ASSERT_NOT_NULL(out);
                free(out);
            }
        }
    }
}

int main(void)
{
    RUN_TEST(test_default_table);
    RUN_TEST(test_iso8859_selectors);
    RUN_TEST(test_two_byte_tables);
    RUN_TEST(test_wrong_selectors);
    RUN_TEST(test_override);
    RUN_TEST(test_exhaustive_no_crash);
    return 0;
}
