/* The JSON reader: jansson parses, this file copies its tree into the small
 * DOM of base.h so that no jansson type leaves the file. See base.h for what
 * is accepted and what is refused. */
#include "base/base.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

/* The root of a parsed document. Strings and keys point into `json`, which
 * stays alive until sc_jv_free(): no copy of any text. */
struct doc {
    struct sc_jv root; /* first: sc_jv_free() gets back to the doc from it */
    json_t *json;
};

/* Refused: anything jansson refuses in strict mode (invalid UTF-8, lone
 * surrogates, control characters, \u0000, integers beyond int64, reals beyond
 * a double, trailing text), and duplicate member names, which two readers
 * could resolve differently. Every caller hands over one whole value (a
 * request line the control socket cut at '\n', a file), so the end-of-input
 * check stays on: JSON_DISABLE_EOF_CHECK would let "{...}junk" through. */
#define PARSE_FLAGS (JSON_DECODE_ANY | JSON_REJECT_DUPLICATES)

static int convert(json_t *in, struct sc_jv *out, int depth)
{
    switch (json_typeof(in)) {
    case JSON_NULL:
        out->type = SC_JV_NULL;
        return 0;
    case JSON_TRUE:
    case JSON_FALSE:
        out->type = SC_JV_BOOL;
        out->boolean = json_is_true(in);
        return 0;
    case JSON_INTEGER:
        out->type = SC_JV_NUMBER;
        out->is_integer = true;
        out->integer = json_integer_value(in);
        out->number = (double)out->integer;
        return 0;
    case JSON_REAL:
        out->type = SC_JV_NUMBER;
        out->number = json_real_value(in);
        return 0;
    case JSON_STRING:
        out->type = SC_JV_STRING;
        out->string = json_string_value(in);
        out->length = json_string_length(in);
        return 0;
    case JSON_ARRAY:
    case JSON_OBJECT:
        break;
    }
    /* jansson stops at 2048 levels; ours is the tighter limit. */
    if (depth >= SC_JSON_MAX_DEPTH) return -E2BIG;
    if (json_is_array(in)) {
        out->type = SC_JV_ARRAY;
        size_t n = json_array_size(in);
        if (n == 0) return 0;
        if (!(out->items = calloc(n, sizeof(*out->items)))) return -ENOMEM;
        /* Counted before converting, so a failure frees what it built. */
        while (out->count < n) {
            size_t i = out->count++;
            int rc = convert(json_array_get(in, i), &out->items[i], depth + 1);
            if (rc) return rc;
        }
        return 0;
    }
    out->type = SC_JV_OBJECT;
    size_t n = json_object_size(in);
    if (n == 0) return 0;
    if (!(out->members = calloc(n, sizeof(*out->members)))) return -ENOMEM;
    /* jansson keeps members in document order. */
    for (void *it = json_object_iter(in); it; it = json_object_iter_next(in, it)) {
        struct sc_jv_member *m = &out->members[out->count++];
        m->key = json_object_iter_key(it);
        m->key_len = json_object_iter_key_len(it);
        int rc = convert(json_object_iter_value(it), &m->value, depth + 1);
        if (rc) return rc;
    }
    return 0;
}

static void free_children(struct sc_jv *v)
{
    if (v->type == SC_JV_ARRAY) {
        for (size_t i = 0; i < v->count; i++)
            free_children(&v->items[i]);
        free(v->items);
    } else if (v->type == SC_JV_OBJECT) {
        for (size_t i = 0; i < v->count; i++)
            free_children(&v->members[i].value);
        free(v->members);
    }
}

int sc_json_parse(const char *text, size_t len, struct sc_jv **out, char *err, size_t err_size)
{
    *out = NULL;
    if (err && err_size) err[0] = '\0';
    /* A raw NUL is never valid JSON, but jansson takes "1\0" as 1. */
    const char *nul = len ? memchr(text, '\0', len) : NULL;
    if (nul) {
        if (err && err_size)
            snprintf(err, err_size, "NUL byte at offset %zu", (size_t)(nul - text));
        return -EINVAL;
    }
    json_error_t error;
    json_t *json = json_loadb(text, len, PARSE_FLAGS, &error);
    if (!json) {
        if (json_error_code(&error) == json_error_out_of_memory) {
            if (err && err_size) snprintf(err, err_size, "out of memory");
            return -ENOMEM;
        }
        if (err && err_size) snprintf(err, err_size, "%s at offset %d", error.text, error.position);
        return -EINVAL;
    }
    struct doc *doc = calloc(1, sizeof(*doc));
    if (!doc) {
        json_decref(json);
        if (err && err_size) snprintf(err, err_size, "out of memory");
        return -ENOMEM;
    }
    doc->json = json;
    int rc = convert(json, &doc->root, 0);
    if (rc) {
        if (err && err_size)
            snprintf(err, err_size,
                     rc == -ENOMEM ? "out of memory" : "nesting too deep (over %d levels)",
                     SC_JSON_MAX_DEPTH);
        sc_jv_free(&doc->root);
        return rc == -ENOMEM ? rc : -EINVAL;
    }
    *out = &doc->root;
    return 0;
}

void sc_jv_free(struct sc_jv *value)
{
    if (!value) return;
    struct doc *doc = (struct doc *)value;
    free_children(&doc->root);
    json_decref(doc->json);
    free(doc);
}

const struct sc_jv *sc_jv_get(const struct sc_jv *object, const char *key)
{
    if (!object || object->type != SC_JV_OBJECT) return NULL;
    size_t key_len = strlen(key);
    for (size_t i = 0; i < object->count; i++)
        if (object->members[i].key_len == key_len &&
            memcmp(object->members[i].key, key, key_len) == 0)
            return &object->members[i].value;
    return NULL;
}

const char *sc_jv_get_string(const struct sc_jv *object, const char *key)
{
    const struct sc_jv *v = sc_jv_get(object, key);
    return v && v->type == SC_JV_STRING ? v->string : NULL;
}

int sc_jv_get_int(const struct sc_jv *object, const char *key, int64_t *value)
{
    const struct sc_jv *v = sc_jv_get(object, key);
    if (!v) return -ENOENT;
    if (v->type != SC_JV_NUMBER || !v->is_integer) return -EINVAL;
    *value = v->integer;
    return 0;
}

int sc_jv_get_bool(const struct sc_jv *object, const char *key, bool *value)
{
    const struct sc_jv *v = sc_jv_get(object, key);
    if (!v) return -ENOENT;
    if (v->type != SC_JV_BOOL) return -EINVAL;
    *value = v->boolean;
    return 0;
}

const struct sc_jv *sc_jv_at(const struct sc_jv *array, size_t index)
{
    if (!array || array->type != SC_JV_ARRAY || index >= array->count) return NULL;
    return &array->items[index];
}
