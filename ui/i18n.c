/* Language: gettext's "studycast" domain, Chinese by default.
 *
 * The msgids are English, so English needs no catalog: ui_tr() returns
 * the msgid. For Chinese, glibc's gettext picks the catalog from LANGUAGE,
 * but ignores LANGUAGE while LC_MESSAGES is the "C" locale, which is what a
 * systemd service or a fresh box without generated locales has. "C.UTF-8"
 * exists in every glibc since 2.35 and is not "C" for that test, so LC_MESSAGES
 * is moved there when it is C/POSIX, and LANGUAGE is set once, here, on the
 * first ui_show(), ui_set_language() or ui_tr() (so `play`, which
 * shows no text, never touches the locale or the environment). Switching at run time then never
 * touches the environment (setenv is not thread-safe): English simply bypasses gettext. */
#include "ui/screens.h"

#include <errno.h>
#include <libintl.h>
#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static bool has_catalog(const char *dir)
{
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s/zh_CN/LC_MESSAGES/" UI_TEXT_DOMAIN ".mo", dir);
    return access(path, R_OK) == 0;
}

void ui_i18n_init(const struct ui *ui)
{
    struct ui_kiosk *k = ui->kiosk;
    if (k->i18n_done) return;
    k->i18n_done = true;
    /* without a Chinese font, Chinese text would be boxes: stay English */
    if (!ui_text_ensure(ui) || !ui_text_has_cjk(k->text)) return;
    const char *candidates[] = {k->locale_dir_opt, STUDYCAST_LOCALEDIR_INSTALL,
                                STUDYCAST_LOCALEDIR_BUILD};
    const char *dir = NULL;
    for (size_t i = 0; i < sizeof(candidates) / sizeof(candidates[0]) && !dir; i++)
        if (candidates[i] && has_catalog(candidates[i])) dir = candidates[i];
    if (!dir) {
        SC_WARN(ui->log,
                "no Chinese catalog (zh_CN/LC_MESSAGES/studycast.mo) in %s or %s: "
                "showing English",
                k->locale_dir_opt ? k->locale_dir_opt : STUDYCAST_LOCALEDIR_INSTALL,
                STUDYCAST_LOCALEDIR_BUILD);
        return;
    }
    const char *current = setlocale(LC_MESSAGES, NULL);
    if (!current || strcmp(current, "C") == 0 || strcmp(current, "POSIX") == 0) {
        if (!setlocale(LC_MESSAGES, "C.UTF-8") && !setlocale(LC_MESSAGES, "C.utf8"))
            SC_WARN(ui->log, "no C.UTF-8 locale: gettext may ignore LANGUAGE");
    }
    /* the C locale's charset is ASCII: glibc would turn its own Chinese
     * texts (strerror in a message on screen) into "????" */
    current = setlocale(LC_CTYPE, NULL);
    if (!current || strcmp(current, "C") == 0 || strcmp(current, "POSIX") == 0)
        if (!setlocale(LC_CTYPE, "C.UTF-8")) setlocale(LC_CTYPE, "C.utf8");
    setenv("LANGUAGE", "zh_CN", 1);
    /* a new LANGUAGE takes effect at the next setlocale (glibc's catalog counter) */
    char name[64];
    snprintf(name, sizeof(name), "%s", setlocale(LC_MESSAGES, NULL));
    setlocale(LC_MESSAGES, name);
    if (!bindtextdomain(UI_TEXT_DOMAIN, dir) || !bind_textdomain_codeset(UI_TEXT_DOMAIN, "UTF-8")) {
        SC_WARN(ui->log, "gettext: cannot bind the catalog in %s: showing English", dir);
        return;
    }
    /* the catalog is in use only if a known message comes back translated */
    const char *probe = N_("Study station");
    k->catalog = dgettext(UI_TEXT_DOMAIN, probe) != probe;
    if (!k->catalog)
        SC_WARN(ui->log, "gettext does not use %s (locale %s): showing English", dir,
                setlocale(LC_MESSAGES, NULL));
    else
        SC_INFO(ui->log, "messages: %s", dir);
}

int ui_set_language(struct ui *ui, const char *language)
{
    if (!language || (strcmp(language, "zh_CN") != 0 && strcmp(language, "en") != 0))
        return -EINVAL;
    ui_i18n_init(ui);
    snprintf(ui->kiosk->language, sizeof(ui->kiosk->language), "%s", language);
    ui->dirty = true;
    return 0;
}

const char *ui_language(const struct ui *ui)
{
    return ui->kiosk->language;
}

const char *ui_tr(const struct ui *ui, const char *msgid)
{
    ui_i18n_init(ui);
    if (!ui->kiosk->catalog || strcmp(ui->kiosk->language, "zh_CN") != 0) return msgid;
    return dgettext(UI_TEXT_DOMAIN, msgid);
}
