/* `studycast members import FILE | list [--json]`: the station's roster. */
#include "kiosk/cli/cli.h"
#include "kiosk/record/record.h"

#include <stdio.h>
#include <string.h>

static void usage(FILE *out)
{
    fprintf(out, "usage: studycast members import FILE [--data-dir DIR]\n"
                 "       studycast members list [--json] [--data-dir DIR]\n"
                 "\n"
                 "FILE is CSV (UTF-8, with or without BOM, or GB18030) with the header\n"
                 "number,name,category,card; category is 党员/干部/群众 or\n"
                 "party_member/cadre/villager; card may be empty. The file is the whole\n"
                 "roster: members missing from it are removed (their records stay). If any\n"
                 "row is bad, every problem is listed and nothing is imported.\n");
}

static int list_members(struct rec *rec, bool json_out)
{
    struct rec_member *m = NULL;
    size_t n = 0;
    int rc = rec_members_list(rec, &m, &n);
    if (rc != 0) {
        fprintf(stderr, "studycast members list: %s\n", rec_strerror(rc));
        return 1;
    }
    if (json_out) {
        struct sc_buf out = {0};
        struct sc_json json;
        sc_json_init(&json, &out, true);
        sc_json_array_begin(&json);
        for (size_t i = 0; i < n; i++) {
            sc_json_object_begin(&json);
            sc_json_kv_string(&json, "number", m[i].number);
            sc_json_kv_string(&json, "name", m[i].name);
            sc_json_kv_string(&json, "category", rec_category_name(m[i].category));
            sc_json_kv_string(&json, "card", m[i].card); /* null when none */
            sc_json_object_end(&json);
        }
        sc_json_array_end(&json);
        sc_buf_puts(&out, "\n");
        if (!out.failed) fwrite(out.data, 1, out.len, stdout);
        rc = out.failed ? 1 : 0;
        sc_buf_free(&out);
    } else {
        /* the name last: CJK names would misalign any column after them */
        printf("%-10s  %-12s  %-16s  %s\n", "number", "category", "card", "name");
        for (size_t i = 0; i < n; i++)
            printf("%-10s  %-12s  %-16s  %s\n", m[i].number, rec_category_name(m[i].category),
                   m[i].card ? m[i].card : "-", m[i].name);
        printf("(%zu members)\n", n);
    }
    rec_members_free(m, n);
    return rc;
}

static int import_members(struct rec *rec, const char *path)
{
    struct rec_import_result result;
    int rc = rec_members_import(rec, path, &result);
    if (rc == 0) {
        printf("imported %s: %d added, %d updated, %d removed, %d unchanged\n", path, result.added,
               result.updated, result.removed, result.unchanged);
    } else if (rc == REC_EROSTER) {
        for (size_t i = 0; i < result.n_problems; i++) {
            if (result.problems[i].line > 0)
                fprintf(stderr, "%s:%d: %s\n", path, result.problems[i].line,
                        result.problems[i].message);
            else
                fprintf(stderr, "%s: %s\n", path, result.problems[i].message);
        }
        fprintf(stderr, "studycast members import: %zu problem(s); nothing was imported\n",
                result.n_problems);
    } else {
        fprintf(stderr, "studycast members import: %s: %s\n", path, rec_strerror(rc));
    }
    rec_import_result_free(&result);
    return rc == 0 ? 0 : 1;
}

int cmd_members(int argc, char **argv, struct sc_log *log)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const char *data_dir = NULL, *file = NULL;
    bool json_out = false;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return 0;
        }
        if (strcmp(argv[i], "--data-dir") == 0 && i + 1 < argc)
            data_dir = argv[++i];
        else if (strncmp(argv[i], "--data-dir=", 11) == 0)
            data_dir = argv[i] + 11;
        else if (strcmp(argv[i], "--json") == 0)
            json_out = true;
        else if (argv[i][0] != '-' && !file)
            file = argv[i];
        else {
            fprintf(stderr, "studycast members: unexpected argument '%s'\n", argv[i]);
            usage(stderr);
            return 2;
        }
    }
    bool import = strcmp(argv[1], "import") == 0, list = strcmp(argv[1], "list") == 0;
    if ((!import && !list) || (import && !file) || (list && file) || (import && json_out)) {
        usage(stderr);
        return 2;
    }
    struct sc_log *rlog = sc_log_child(log, "record");
    struct rec_options options = {.data_dir = data_dir};
    struct rec *rec = NULL;
    int rc = rec_open(&options, rlog, &rec);
    int status;
    if (rc != 0) {
        fprintf(stderr, "studycast: cannot open the study record in %s: %s\n",
                data_dir ? data_dir : REC_DEFAULT_DATA_DIR, rec_strerror(rc));
        status = 1;
    } else {
        status = import ? import_members(rec, file) : list_members(rec, json_out);
    }
    rec_close(rec);
    sc_log_destroy(rlog);
    return status;
}
