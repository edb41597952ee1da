/* SDL's memory through an allocator that backs large blocks (window-sized
 * surfaces and streaming textures, 8 MiB at 1080p) with transparent huge
 * pages: one page fault per 2 MiB instead of one per 4 KiB. On the
 * receiver's virtual machines a fault costs tens of microseconds, and the
 * first picture waits for the video texture to be created (docs/performance.md,
 * "Player"). Small blocks go to malloc as before. */
#ifndef STUDYCAST_KIOSK_SDL_MEMORY_H
#define STUDYCAST_KIOSK_SDL_MEMORY_H

/* Main thread, before the first SDL call of the process (SDL requires that
 * memory it allocated is freed by the same functions). Returns 0 or a
 * negative error code (SDL then keeps its own allocator). */
int sdl_memory_use_huge_pages(void);

#endif
