/* Character table 00 of EN 300 468 annex A (figure A.1): ISO/IEC 6937 with
 * the euro sign at 0xA4. The non-spacing diacritics 0xC1..0xCF come BEFORE
 * the letter they modify; they are composed to the precomposed Unicode letter
 * (NFC), or to letter + combining mark where Unicode has no precomposed form. */
#include "demux/text_tables.h"

#include <stddef.h>

/* 0xA0..0xFF; 0 marks an unused position, 1 a diacritic (0xC1..0xCF). */
static const uint16_t upper_half[96] = {
    0x00A0, 0x00A1, 0x00A2, 0x00A3, 0x20AC, 0x00A5, 0,      0x00A7, /* A0 */
    0x00A4, 0x2018, 0x201C, 0x00AB, 0x2190, 0x2191, 0x2192, 0x2193, /* A8 */
    0x00B0, 0x00B1, 0x00B2, 0x00B3, 0x00D7, 0x00B5, 0x00B6, 0x00B7, /* B0 */
    0x00F7, 0x2019, 0x201D, 0x00BB, 0x00BC, 0x00BD, 0x00BE, 0x00BF, /* B8 */
    0,      1,      1,      1,      1,      1,      1,      1,      /* C0 */
    1,      0,      1,      1,      0,      1,      1,      1,      /* C8 */
    0x2015, 0x00B9, 0x00AE, 0x00A9, 0x2122, 0x266A, 0x00AC, 0x00A6, /* D0 */
    0,      0,      0,      0,      0x215B, 0x215C, 0x215D, 0x215E, /* D8 */
    0x2126, 0x00C6, 0x0110, 0x00AA, 0x0126, 0,      0x0132, 0x013F, /* E0 */
    0x0141, 0x00D8, 0x0152, 0x00BA, 0x00DE, 0x0166, 0x014A, 0x0149, /* E8 */
    0x0138, 0x00E6, 0x0111, 0x00F0, 0x0127, 0x0131, 0x0133, 0x0140, /* F0 */
    0x0142, 0x00F8, 0x0153, 0x00DF, 0x00FE, 0x0167, 0x014B, 0x00AD, /* F8 */
};

/* Combining mark and spacing form of each diacritic byte 0xC1..0xCF. */
static const struct {
    uint16_t combining, spacing;
} diacritics[15] = {
    {0x0300, 0x0060}, {0x0301, 0x00B4}, {0x0302, 0x005E}, {0x0303, 0x007E}, {0x0304, 0x00AF},
    {0x0306, 0x02D8}, {0x0307, 0x02D9}, {0x0308, 0x00A8}, {0, 0},           {0x030A, 0x02DA},
    {0x0327, 0x00B8}, {0, 0},           {0x030B, 0x02DD}, {0x0328, 0x02DB}, {0x030C, 0x02C7},
};

/* Generated from Unicode NFC: diacritic byte, base letter, precomposed letter. */
static const struct {
    uint8_t diacritic;
    char base;
    uint16_t composed;
} compositions[] = {
#include "demux/iso6937_compose.inc"
};

int dmx_iso6937_decode(const uint8_t *in, size_t len, size_t *used, uint32_t out[2])
{
    uint8_t b = in[0];
    *used = 1;
    if (b < 0xA0) /* ASCII; the C1 controls are handled by the caller */
        return b < 0x80 ? (out[0] = b, 1) : (out[0] = 0xFFFD, 1);
    uint16_t u = upper_half[b - 0xA0];
    if (u == 0) {
        out[0] = 0xFFFD;
        return 1;
    }
    if (u != 1) {
        out[0] = u;
        return 1;
    }
    /* A diacritic: it applies to the next character. */
    if (len < 2) {
        out[0] = 0xFFFD;
        return 1;
    }
    uint8_t base = in[1];
    *used = 2;
    if (base == 0x20) {
        out[0] = diacritics[b - 0xC1].spacing;
        return 1;
    }
    for (size_t i = 0; i < sizeof compositions / sizeof compositions[0]; i++) {
        if (compositions[i].diacritic == b && (uint8_t)compositions[i].base == base) {
            out[0] = compositions[i].composed;
            return 1;
        }
    }
    if (base >= 0x21 && base < 0x7F) { /* no precomposed form: letter + combining mark */
        out[0] = base;
        out[1] = diacritics[b - 0xC1].combining;
        return 2;
    }
    /* A diacritic before a non-letter: invalid; the next byte is decoded on its own. */
    *used = 1;
    out[0] = 0xFFFD;
    return 1;
}
