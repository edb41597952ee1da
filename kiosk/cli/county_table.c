/* The sub-commands of `studycast county`, in the order its help lists them:
 * one row each, implemented in cmd_county*.c. */
#include "kiosk/cli/cli.h"

const struct cli_county_sub cli_county_subs[] = {
    {"init", "create or migrate the county schema (idempotent)", cli_county_init},
    {"add-station", "register a station's key and create its login role", cli_county_add_station},
    {"import", "load a station's USB export after verifying it", cli_county_import},
    {"verify", "check every station's signatures, hash chain and gaps", cli_county_verify},
    {"report", "every station's figures for a month, quarter or half year", cli_county_report},
    {"stations", "the fleet at a glance: last seen, silent, version, checks", cli_county_stations},
    {"subscribe", "(province) replicate a county's database into this one", cli_county_subscribe},
    {NULL, NULL, NULL},
};
