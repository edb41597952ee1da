/* libFuzzer target for the JSON reader. Beyond "no crash, no leak": what
 * parses must survive a round trip through the JSON writer unchanged, so the
 * reader and the writer agree on every document. */
#include "base/base.h"

#include <stdlib.h>
#include <string.h>

static void write_value(struct sc_json *j, const struct sc_jv *v)
{
    switch (v->type) {
    case SC_JV_NULL:
        sc_json_null(j);
        break;
    case SC_JV_BOOL:
        sc_json_bool(j, v->boolean);
        break;
    case SC_JV_NUMBER:
        /* The writer keeps 6 significant digits for reals; compare integers. */
        if (v->is_integer)
            sc_json_int(j, v->integer);
        else
            sc_json_null(j);
        break;
    case SC_JV_STRING:
        sc_json_string_len(j, v->string, v->length);
        break;
    case SC_JV_ARRAY:
        sc_json_array_begin(j);
        for (size_t i = 0; i < v->count; i++)
            write_value(j, &v->items[i]);
        sc_json_array_end(j);
        break;
    case SC_JV_OBJECT:
        sc_json_object_begin(j);
        for (size_t i = 0; i < v->count; i++) {
            sc_json_key(j, v->members[i].key);
            write_value(j, &v->members[i].value);
        }
        sc_json_object_end(j);
        break;
    }
}

static int same(const struct sc_jv *a, const struct sc_jv *b)
{
    if (a->type == SC_JV_NUMBER && !a->is_integer) return b->type == SC_JV_NULL;
    if (a->type != b->type || a->count != b->count) return 0;
    switch (a->type) {
    case SC_JV_BOOL:
        return a->boolean == b->boolean;
    case SC_JV_NUMBER:
        return b->is_integer && a->integer == b->integer;
    case SC_JV_STRING:
        return a->length == b->length && memcmp(a->string, b->string, a->length) == 0;
    case SC_JV_ARRAY:
        for (size_t i = 0; i < a->count; i++)
            if (!same(&a->items[i], &b->items[i])) return 0;
        return 1;
    case SC_JV_OBJECT:
        for (size_t i = 0; i < a->count; i++) {
            /* Keys are written with strlen(): a key with NUL bytes is cut. */
            if (strlen(a->members[i].key) != a->members[i].key_len) return 1;
            if (strcmp(a->members[i].key, b->members[i].key) != 0 ||
                !same(&a->members[i].value, &b->members[i].value))
                return 0;
        }
        return 1;
    default:
        return 1;
    }
}

static int depth_of(const struct sc_jv *v)
{
    int deepest = 0;
    for (size_t i = 0; i < v->count; i++) {
        const struct sc_jv *child = v->type == SC_JV_ARRAY ? &v->items[i] : &v->members[i].value;
        int d = depth_of(child);
        if (d > deepest) deepest = d;
    }
    return (v->type == SC_JV_ARRAY || v->type == SC_JV_OBJECT) + deepest;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    struct sc_jv *v;
    char err[128];
    if (sc_json_parse((const char *)data, size, &v, err, sizeof(err)) != 0) return 0;
    /* The writer nests at most 32 levels: only compare what it can write. */
    if (depth_of(v) <= 32) {
        struct sc_buf buf = {0};
        struct sc_json j;
        sc_json_init(&j, &buf, size % 2 == 0);
        write_value(&j, v);
        struct sc_jv *again = NULL;
        if (buf.failed) abort();
        if (sc_json_parse(buf.data, buf.len, &again, err, sizeof(err)) != 0)
            abort();                  /* the writer produced what the reader rejects */
        if (!same(v, again)) abort(); /* the round trip changed the document */
        sc_jv_free(again);
        sc_buf_free(&buf);
    }
    sc_jv_free(v);
    return 0;
}
