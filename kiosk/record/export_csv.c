/* CSV export: sessions, attendance and member hours as three files, UTF-8
 * with a BOM (so Excel and WPS read Chinese correctly), RFC 4180 quoting,
 * CRLF line ends; text that a spreadsheet would run as a formula is
 * neutralised (csv_text). */
#include "kiosk/record/internal.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#define BOM "\xEF\xBB\xBF"

static void csv_int(struct sc_buf *out, int64_t value, bool last)
{
    char text[24];
    snprintf(text, sizeof(text), "%" PRId64, value);
    rec_csv_field(out, text, last);
}

/* A text field (a course title, a member's name or number ...): formulas
 * neutralised (rec_csv_cell, csv.c); numbers and times the export writes
 * itself go through csv_int and csv_utc unchanged. */
static void csv_text(struct sc_buf *out, const char *text, bool last)
{
    rec_csv_cell(out, text, last);
}

static void csv_utc(struct sc_buf *out, int64_t utc, bool last)
{
    char text[32];
    sc_format_iso8601_utc(utc, text, sizeof(text));
    rec_csv_field(out, text, last);
}

static const char *status_name(const struct rec_session_summary *s)
{
    return s->open ? "open" : s->interrupted ? "interrupted" : "complete";
}

static int write_sessions(struct rec_export_ctx *ctx)
{
    struct sc_buf out = {0};
    sc_buf_puts(&out, BOM "session_id,course,start_utc,end_utc,start_local,played_seconds,"
                          "played_minutes,status,members_present,guests,meets_120_minutes\r\n");
    for (size_t i = 0; i < ctx->n_sessions; i++) {
        const struct rec_session_summary *s = &ctx->sessions[i];
        char local[32];
        size_t present = 0;
        for (size_t a = 0; a < s->n_attendance; a++)
            present += s->attendance[a].seconds > 0;
        rec_format_local(s->start_utc, ctx->utc_offset, local, sizeof(local));
        csv_text(&out, s->id, false);
        csv_text(&out, s->course, false);
        csv_utc(&out, s->start_utc, false);
        csv_utc(&out, s->end_utc, false);
        csv_text(&out, local, false);
        csv_int(&out, s->played_seconds, false);
        csv_int(&out, s->played_seconds / 60, false);
        csv_text(&out, status_name(s), false);
        csv_int(&out, (int64_t)present, false);
        csv_int(&out, s->guests, false);
        csv_text(&out, s->played_seconds >= REC_REQUIRED_MINUTES_EACH * 60 ? "yes" : "no", true);
    }
    int rc = out.failed ? -ENOMEM : rec_export_file(ctx, "sessions.csv", out.data, out.len);
    sc_buf_free(&out);
    return rc;
}

static int write_attendance(struct rec_export_ctx *ctx)
{
    struct sc_buf out = {0};
    sc_buf_puts(&out, BOM "session_id,course,start_local,member_number,member_name,category,"
                          "seconds,minutes\r\n");
    for (size_t i = 0; i < ctx->n_sessions; i++) {
        const struct rec_session_summary *s = &ctx->sessions[i];
        char local[32];
        rec_format_local(s->start_utc, ctx->utc_offset, local, sizeof(local));
        for (size_t a = 0; a < s->n_attendance; a++) {
            const struct rec_member *m = rec_export_find_member(ctx, s->attendance[a].member);
            csv_text(&out, s->id, false);
            csv_text(&out, s->course, false);
            csv_text(&out, local, false);
            csv_text(&out, s->attendance[a].member, false);
            csv_text(&out, m ? m->name : "", false);
            csv_text(&out, m ? rec_category_name(m->category) : "", false);
            csv_int(&out, s->attendance[a].seconds, false);
            csv_int(&out, s->attendance[a].seconds / 60, true);
        }
    }
    int rc = out.failed ? -ENOMEM : rec_export_file(ctx, "attendance.csv", out.data, out.len);
    sc_buf_free(&out);
    return rc;
}

static int write_member_hours(struct rec_export_ctx *ctx)
{
    struct sc_buf out = {0};
    sc_buf_puts(&out, BOM "member_number,name,category,sessions_attended,seconds,hours\r\n");
    for (size_t i = 0; i < ctx->n_members; i++) {
        const struct rec_member *m = &ctx->members[i];
        int64_t seconds = 0, attended = 0;
        for (size_t s = 0; s < ctx->n_sessions; s++)
            for (size_t a = 0; a < ctx->sessions[s].n_attendance; a++)
                if (strcmp(ctx->sessions[s].attendance[a].member, m->number) == 0) {
                    seconds += ctx->sessions[s].attendance[a].seconds;
                    attended += ctx->sessions[s].attendance[a].seconds > 0;
                }
        char hours[32];
        snprintf(hours, sizeof(hours), "%.2f", (double)seconds / 3600.0);
        csv_text(&out, m->number, false);
        csv_text(&out, m->name, false);
        csv_text(&out, rec_category_name(m->category), false);
        csv_int(&out, attended, false);
        csv_int(&out, seconds, false);
        csv_text(&out, hours, true);
    }
    int rc = out.failed ? -ENOMEM : rec_export_file(ctx, "member_hours.csv", out.data, out.len);
    sc_buf_free(&out);
    return rc;
}

int rec_export_csv(struct rec_export_ctx *ctx)
{
    int rc = write_sessions(ctx);
    if (rc == 0) rc = write_attendance(ctx);
    if (rc == 0) rc = write_member_hours(ctx);
    return rc;
}
