/* Where the built-in demo stream is: the build tree's copy, else the installed one. */
#include "player/player.h"

#include <unistd.h>

const char *player_demo_path(void)
{
    if (access(STUDYCAST_DEMO_BUILD_PATH, R_OK) == 0) return STUDYCAST_DEMO_BUILD_PATH;
    if (access(STUDYCAST_DEMO_INSTALL_PATH, R_OK) == 0) return STUDYCAST_DEMO_INSTALL_PATH;
    if (access("/usr/share/studycast/demo.ts", R_OK) == 0) return "/usr/share/studycast/demo.ts";
    return NULL;
}
