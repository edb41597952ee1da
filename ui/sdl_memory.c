/* SDL's memory on huge pages for large blocks (ui_memory_use_huge_pages in
 * ui.h). Every block carries a header just before the pointer handed to SDL:
 * its size and whether it is a mapping of its own. No state besides the
 * blocks. */
#include "ui/ui.h"

#include <SDL.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define HUGE_PAGE   ((size_t)2 << 20)
#define LARGE_BLOCK ((size_t)1 << 20) /* from here on a mapping of its own */
#define HEADER      ((size_t)64)      /* keeps SDL's SIMD alignment of mapped blocks */
#define SMALL_HEAD  ((size_t)16)      /* malloc's alignment */

struct block_header {
    size_t size;   /* what SDL asked for */
    size_t mapped; /* 0: from malloc; else the mapping's length */
};

static struct block_header *header_of(void *ptr)
{
    return (struct block_header *)((uint8_t *)ptr - sizeof(struct block_header));
}

static void *map_large(size_t size)
{
    size_t length = (size + HEADER + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
    uint8_t *base = mmap(NULL, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED) return NULL;
#ifdef MADV_HUGEPAGE
    madvise(base, length, MADV_HUGEPAGE); /* advice: without THP, 4 KiB pages */
#endif
    uint8_t *ptr = base + HEADER;
    *header_of(ptr) = (struct block_header){.size = size, .mapped = length};
    return ptr; /* fresh anonymous memory is zero: calloc needs nothing more */
}

static void *small_alloc(size_t size, bool zero)
{
    if (size > SIZE_MAX - SMALL_HEAD) return NULL;
    uint8_t *base = zero ? calloc(1, size + SMALL_HEAD) : malloc(size + SMALL_HEAD);
    if (!base) return NULL;
    uint8_t *ptr = base + SMALL_HEAD;
    *header_of(ptr) = (struct block_header){.size = size, .mapped = 0};
    return ptr;
}

static void mem_free(void *ptr)
{
    if (!ptr) return;
    struct block_header *h = header_of(ptr);
    if (h->mapped)
        munmap((uint8_t *)ptr - HEADER, h->mapped);
    else
        free((uint8_t *)ptr - SMALL_HEAD);
}

static void *mem_malloc(size_t size)
{
    return size >= LARGE_BLOCK ? map_large(size) : small_alloc(size, false);
}

static void *mem_calloc(size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size) return NULL;
    size_t total = count * size;
    return total >= LARGE_BLOCK ? map_large(total) : small_alloc(total, true);
}

static void *mem_realloc(void *ptr, size_t size)
{
    if (!ptr) return mem_malloc(size);
    struct block_header *h = header_of(ptr);
    if (!h->mapped && size < LARGE_BLOCK) {
        if (size > SIZE_MAX - SMALL_HEAD) return NULL;
        uint8_t *base = realloc((uint8_t *)ptr - SMALL_HEAD, size + SMALL_HEAD);
        if (!base) return NULL;
        header_of(base + SMALL_HEAD)->size = size;
        return base + SMALL_HEAD;
    }
    void *moved = mem_malloc(size);
    if (!moved) return NULL;
    memcpy(moved, ptr, h->size < size ? h->size : size);
    mem_free(ptr);
    return moved;
}

int ui_memory_use_huge_pages(void)
{
    return SDL_SetMemoryFunctions(mem_malloc, mem_calloc, mem_realloc, mem_free) == 0 ? 0 : -EINVAL;
}
