/* libFuzzer target for roster files: encoding detection, CSV parsing and row
 * validation must never crash, leak or overrun on any bytes. */
#include "kiosk/record/internal.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct rec_import_result result = {0};
    struct rec_roster_row *rows = NULL;
    size_t n_rows = 0;
    int rc = rec_roster_parse((const char *)data, size, &result, &rows, &n_rows);
    if (rc == 0 && result.n_problems != 0) abort(); /* success never comes with problems */
    if (rc == REC_EROSTER && result.n_problems == 0) abort(); /* a rejection always says why */
    rec_roster_rows_free(rows, n_rows);
    rec_import_result_free(&result);
    return 0;
}
