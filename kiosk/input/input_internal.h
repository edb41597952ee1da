/* kiosk/input's own parts: the devices (input_device.c) and the reader
 * with its thread and queue (input_reader.c). Reader-thread state except
 * where a member says otherwise. */
#ifndef STUDYCAST_KIOSK_INPUT_INTERNAL_H
#define STUDYCAST_KIOSK_INPUT_INTERNAL_H

#include "kiosk/input/input.h"

#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>

#define IN_RAW_RECORD 24 /* struct input_event on x86-64 */
#define IN_QUEUE      256

struct libevdev;

struct in_device {
    int fd;               /* -1: a free slot */
    struct libevdev *dev; /* NULL: raw records (a FIFO or a plain file) */
    bool regular;         /* a plain file: dropped at its end */
    bool card;            /* a card reader */
    bool grabbed;
    bool counted; /* in device_count */
    char path[PATH_MAX];
    char name[128];
    unsigned char raw[IN_RAW_RECORD]; /* a record read in part */
    size_t raw_len;
    char digits[IN_CARD_MAX]; /* a card reader's number so far */
};

struct in_reader {
    struct in_config config; /* its strings point at the copies below */
    char *dir, *card_readers, **paths;
    struct in_device devices[IN_MAX_DEVICES];
    struct in_held held;
    int inotify_fd, stop_fd;
    pthread_t thread;
    bool started;
    atomic_int device_count;
    pthread_mutex_t lock; /* guards the queue */
    struct in_event queue[IN_QUEUE];
    size_t head, count, dropped;
};

/* input_device.c */
/* Opens path into a free slot. Returns the slot, or -errno (-ENOKEY: an
 * event device without keys, -ENOTTY: a character device that is no event
 * device, -ENOSPC: IN_MAX_DEVICES open). */
int in_device_open(struct in_reader *r, const char *path);
/* Ungrabs and closes the slot; a key it held is released. */
void in_device_close(struct in_reader *r, int slot);
/* Reads what the device has; closes it when it has gone or ended. */
void in_device_read(struct in_reader *r, int slot, int64_t now);
/* The slot reading path, or -1. */
int in_device_find(const struct in_reader *r, const char *path);

/* input_reader.c */
void in_queue_push(struct in_reader *r, const struct in_event *ev);

#endif
