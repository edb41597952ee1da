/* libFuzzer target for keymap.conf parsing: any text loads without a crash
 * or leak, never fails (only counts bad lines), and keys it does not bind
 * keep their defaults. */
#include "kiosk/remote/remote.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    struct rc_keymap *map;
    if (rc_keymap_create(RC_KEYMAP_KIOSK, &map) != 0) return 0;
    int bad = rc_keymap_load_text(map, (const char *)data, size, "fuzz", NULL);
    if (bad < 0 && bad != -ENOMEM) abort();
    /* A text that never mentions "Escape" leaves it as a default. */
    bool mentioned = false;
    for (size_t i = 0; i + 6 <= size && !mentioned; i++)
        mentioned = strncasecmp((const char *)data + i, "escape", 6) == 0;
    if (!mentioned && rc_keymap_lookup(map, "Escape") != RC_ACTION_BACK) abort();
    rc_keymap_destroy(map);
    return 0;
}
