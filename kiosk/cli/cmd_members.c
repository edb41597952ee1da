/* `studycast members import FILE | list [--json]`: the station's roster. */
#include "kiosk/cli/cli.h"
#include "kiosk/record/record.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

struct members_args {
    const char *data_dir; /* NULL: the record's default */
    bool json;
    bool replace; /* import: members missing from the file may be removed */
};

#define DATA_DIR                                                                                   \
    {                                                                                              \
        "data-dir", 0, CLI_STRING, offsetof(struct members_args, data_dir),                        \
            .metavar = "DIR", .def_str = REC_DEFAULT_DATA_DIR, .help = "the station's data"        \
    }
static const struct cli_option import_options[] = {
    {"replace", 0, CLI_FLAG, offsetof(struct members_args, replace),
     .help = "remove the members missing from FILE (else such an import is refused)"},
    DATA_DIR,
    {NULL},
};
static const struct cli_option list_options[] = {
    {"json", 0, CLI_FLAG, offsetof(struct members_args, json), .help = "a JSON array"},
    DATA_DIR,
    {NULL},
};

static const struct cli_spec subs[] = {
    {"studycast members", "import", "members import FILE [--replace] [--data-dir DIR]",
     .options = import_options, 1, 1, "FILE"},
    {"studycast members", "list", "members list [--json] [--data-dir DIR]",
     .options = list_options},
    {NULL},
};

static const struct cli_group group = {
    .prog = "studycast members",
    .about = "\nFILE is CSV (UTF-8, with or without BOM, or GB18030) with the header\n"
             "number,name,category,card; category is 党员/干部/群众 or\n"
             "party_member/cadre/villager; card may be empty. The file is the whole\n"
             "roster: members missing from it are removed (their records stay), but only\n"
             "with --replace; without it such an import lists them and imports nothing.\n"
             "A file with no members (a header only) is refused. If any row is bad,\n"
             "every problem is listed and nothing is imported.\n",
    .subs = subs,
};

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

static void print_removals(const char *path, const struct rec_import_result *r)
{
    fprintf(stderr, "studycast members import: %s would remove %d member(s) who are not in it:\n",
            path, r->removed);
    for (size_t i = 0; i < r->n_removals; i++)
        fprintf(stderr, "  %s  %s\n", r->removals[i].number, r->removals[i].name);
    fprintf(stderr,
            "Nothing was imported (it would also add %d and update %d). If the file is the "
            "whole new roster, import it again with --replace; removed members' past "
            "attendance stays in the record.\n",
            r->added, r->updated);
}

static int import_members(struct rec *rec, const char *path, bool replace)
{
    struct rec_import_result result;
    int rc = rec_members_import(rec, path, replace ? REC_IMPORT_REPLACE : 0, &result);
    if (rc == 0) {
        printf("imported %s: %d added, %d updated, %d removed, %d unchanged\n", path, result.added,
               result.updated, result.removed, result.unchanged);
    } else if (rc == REC_EREMOVES) {
        print_removals(path, &result);
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
    } else if (rc == -EROFS || rc == -ENOSPC) {
        fprintf(stderr, "%s", cli_record_unwritable(rc));
    } else {
        fprintf(stderr, "studycast members import: %s: %s\n", path, rec_strerror(rc));
    }
    rec_import_result_free(&result);
    return rc == 0 ? 0 : 1;
}

int cli_members(int argc, char **argv, struct sc_log *log)
{
    struct members_args a = {0};
    struct cli_args pos;
    const struct cli_spec *sub = NULL;
    int rc = cli_parse_group(&group, argc, argv, &a, &pos, &sub);
    if (rc) return cli_status(rc);
    const char *data_dir = a.data_dir;
    bool import = strcmp(sub->name, "import") == 0;
    const char *file = pos.v[0];
    bool json_out = a.json;
    struct sc_log *rlog = sc_log_child(log, "record");
    /* listing only reads: it works on a read-only or full disk */
    struct rec_options options = {.data_dir = data_dir};
    struct rec *rec = NULL;
    rc = import ? rec_open(&options, rlog, &rec) : rec_open_for_reading(&options, rlog, &rec);
    int status;
    if (rc != 0) {
        fprintf(stderr, "studycast: cannot open the study record in %s: %s\n", data_dir,
                rec_strerror(rc));
        if (import && (rc == -EROFS || rc == -ENOSPC))
            fprintf(stderr, "%s", cli_record_unwritable(rc));
        status = 1;
    } else {
        status = import ? import_members(rec, file, a.replace) : list_members(rec, json_out);
    }
    rec_close(rec);
    sc_log_destroy(rlog);
    return status;
}
