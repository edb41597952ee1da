/* UUIDs: random (v4) for stations and sessions, name-based (v5) for xAPI
 * statement ids. RFC 4122 v5 is defined over SHA-1, which libsodium lacks, so
 * a compact SHA-1 (FIPS 180-4) lives here; it only derives ids, never guards
 * integrity (the chain and the manifest use SHA-256 and Ed25519). */
#include "kiosk/record/internal.h"

#include <errno.h>
#include <string.h>

struct sha1 {
    uint32_t h[5];
    unsigned char block[64];
    size_t used;
    uint64_t total;
};

static uint32_t rol(uint32_t x, int n)
{
    return (x << n) | (x >> (32 - n));
}

static void sha1_block(struct sha1 *s, const unsigned char *p)
{
    uint32_t w[80];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
               (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
    for (int i = 16; i < 80; i++)
        w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    uint32_t a = s->h[0], b = s->h[1], c = s->h[2], d = s->h[3], e = s->h[4];
    for (int i = 0; i < 80; i++) {
        uint32_t f, k;
        if (i < 20) {
            f = (b & c) | (~b & d);
            k = 0x5A827999;
        } else if (i < 40) {
            f = b ^ c ^ d;
            k = 0x6ED9EBA1;
        } else if (i < 60) {
            f = (b & c) | (b & d) | (c & d);
            k = 0x8F1BBCDC;
        } else {
            f = b ^ c ^ d;
            k = 0xCA62C1D6;
        }
        uint32_t t = rol(a, 5) + f + e + k + w[i];
        e = d;
        d = c;
        c = rol(b, 30);
        b = a;
        a = t;
    }
    s->h[0] += a;
    s->h[1] += b;
    s->h[2] += c;
    s->h[3] += d;
    s->h[4] += e;
}

static void sha1_update(struct sha1 *s, const unsigned char *p, size_t n)
{
    s->total += n;
    while (n > 0) {
        size_t take = 64 - s->used < n ? 64 - s->used : n;
        memcpy(s->block + s->used, p, take);
        s->used += take;
        p += take;
        n -= take;
        if (s->used == 64) {
            sha1_block(s, s->block);
            s->used = 0;
        }
    }
}

static void sha1_final(struct sha1 *s, unsigned char out[20])
{
    uint64_t bits = s->total * 8;
    unsigned char pad = 0x80, zero = 0, len[8];
    sha1_update(s, &pad, 1);
    while (s->used != 56)
        sha1_update(s, &zero, 1);
    for (int i = 0; i < 8; i++)
        len[i] = (unsigned char)(bits >> (56 - 8 * i));
    sha1_update(s, len, 8);
    for (int i = 0; i < 5; i++) {
        out[4 * i] = (unsigned char)(s->h[i] >> 24);
        out[4 * i + 1] = (unsigned char)(s->h[i] >> 16);
        out[4 * i + 2] = (unsigned char)(s->h[i] >> 8);
        out[4 * i + 3] = (unsigned char)s->h[i];
    }
}

static void format_uuid(const unsigned char b[16], char out[REC_UUID_STR_LEN])
{
    char hex[33];
    rec_hex(b, 16, hex);
    snprintf(out, REC_UUID_STR_LEN, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16,
             hex + 20);
}

static int parse_uuid(const char *text, unsigned char b[16])
{
    char hex[33];
    size_t k = 0;
    for (const char *p = text; *p; p++) {
        if (*p == '-') continue;
        if (k >= 32) return -EINVAL;
        hex[k++] = *p;
    }
    hex[k] = '\0';
    return rec_unhex(hex, b, 16);
}

void rec_uuid_v4(char out[REC_UUID_STR_LEN])
{
    unsigned char b[16];
    randombytes_buf(b, sizeof(b));
    b[6] = (unsigned char)((b[6] & 0x0F) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3F) | 0x80);
    format_uuid(b, out);
}

int rec_uuid_v5(const char *namespace_uuid, const char *name, size_t len,
                char out[REC_UUID_STR_LEN])
{
    unsigned char ns[16], digest[20];
    if (parse_uuid(namespace_uuid, ns) != 0) return -EINVAL;
    struct sha1 s = {.h = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0}};
    sha1_update(&s, ns, 16);
    sha1_update(&s, (const unsigned char *)name, len);
    sha1_final(&s, digest);
    digest[6] = (unsigned char)((digest[6] & 0x0F) | 0x50);
    digest[8] = (unsigned char)((digest[8] & 0x3F) | 0x80);
    format_uuid(digest, out);
    return 0;
}
