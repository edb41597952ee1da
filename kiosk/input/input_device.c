/* kiosk/input's devices: opening event devices (libevdev), FIFOs and plain
 * files of raw records; their keys, card readers. See input.h. */
#include "kiosk/input/input_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <libevdev/libevdev.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int in_device_find(const struct in_reader *r, const char *path)
{
    for (int i = 0; i < IN_MAX_DEVICES; i++)
        if (r->devices[i].fd >= 0 && strcmp(r->devices[i].path, path) == 0) return i;
    return -1;
}

/* Keyboards, remotes and card readers; not mice, joysticks or switches. */
static bool has_keys(struct libevdev *dev)
{
    if (!libevdev_has_event_type(dev, EV_KEY)) return false;
    for (unsigned code = 1; code < KEY_MAX; code++) {
        if (code == BTN_MISC) code = KEY_OK; /* skip the buttons */
        if (libevdev_has_event_code(dev, EV_KEY, code)) return true;
    }
    return false;
}

/* One comma-separated entry of the card-reader list against the device. */
static bool card_entry_matches(const struct in_device *d, const char *entry, size_t len)
{
    char word[64];
    if (len == 0 || len >= sizeof(word)) return false;
    memcpy(word, entry, len);
    word[len] = '\0';
    unsigned vendor, product;
    char tail;
    if (sscanf(word, "%4x:%4x%c", &vendor, &product, &tail) == 2)
        return d->dev && (unsigned)libevdev_get_id_vendor(d->dev) == vendor &&
               (unsigned)libevdev_get_id_product(d->dev) == product;
    return strcasestr(d->name, word) != NULL;
}

static bool is_card_reader(const struct in_reader *r, const struct in_device *d)
{
    const char *p = r->config.card_readers;
    while (p && *p) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (card_entry_matches(d, p, len)) return true;
        p = comma ? comma + 1 : NULL;
    }
    return false;
}

/* Opens an event device through libevdev; 0 or -errno (d->fd is open). */
static int open_evdev(struct in_reader *r, struct in_device *d)
{
    int rc = libevdev_new_from_fd(d->fd, &d->dev);
    if (rc < 0) {
        d->dev = NULL;
        return -ENOTTY;
    }
    if (!has_keys(d->dev)) return -ENOKEY;
    snprintf(d->name, sizeof(d->name), "%s", libevdev_get_name(d->dev));
    if (r->config.grab) {
        rc = libevdev_grab(d->dev, LIBEVDEV_GRAB);
        if (rc < 0) SC_WARN(r->config.log, "input %s: cannot grab it: %s", d->path, strerror(-rc));
        d->grabbed = rc == 0;
    }
    return 0;
}

static int open_fd(struct in_device *d, const char *path)
{
    struct stat st;
    if (stat(path, &st) < 0) return -errno;
    int flags = O_NONBLOCK | O_CLOEXEC;
    if (S_ISFIFO(st.st_mode))
        flags |= O_RDWR; /* a writer closing it is no end of the FIFO */
    else if (S_ISREG(st.st_mode) || S_ISCHR(st.st_mode))
        flags |= O_RDONLY;
    else
        return -EINVAL;
    d->regular = S_ISREG(st.st_mode);
    d->fd = open(path, flags);
    if (d->fd < 0) return -errno;
    return S_ISCHR(st.st_mode) ? 1 : 0;
}

int in_device_open(struct in_reader *r, const char *path)
{
    int slot = in_device_find(r, path);
    if (slot >= 0) return slot;
    for (slot = 0; slot < IN_MAX_DEVICES && r->devices[slot].fd >= 0; slot++)
        ;
    if (slot == IN_MAX_DEVICES) return -ENOSPC;
    struct in_device *d = &r->devices[slot];
    *d = (struct in_device){.fd = -1};
    snprintf(d->path, sizeof(d->path), "%s", path);
    const char *base = strrchr(path, '/');
    snprintf(d->name, sizeof(d->name), "%s", base ? base + 1 : path);
    int rc = open_fd(d, path);
    if (rc > 0) rc = open_evdev(r, d);
    if (rc < 0) {
        in_device_close(r, slot);
        return rc;
    }
    d->card = is_card_reader(r, d);
    d->counted = true;
    atomic_fetch_add(&r->device_count, 1);
    char id[16] = "";
    if (d->dev)
        snprintf(id, sizeof(id), ", %04x:%04x", (unsigned)libevdev_get_id_vendor(d->dev),
                 (unsigned)libevdev_get_id_product(d->dev));
    SC_INFO(r->config.log, "input: reading %s (%s%s%s%s)", path, d->name, id,
            d->card ? ", a card reader" : "", d->grabbed ? ", grabbed" : "");
    return slot;
}

void in_device_close(struct in_reader *r, int slot)
{
    struct in_device *d = &r->devices[slot];
    if (d->dev) {
        if (d->grabbed) libevdev_grab(d->dev, LIBEVDEV_UNGRAB);
        libevdev_free(d->dev);
    }
    if (d->fd >= 0) close(d->fd);
    in_held_release(&r->held, slot, UINT32_MAX);
    if (d->counted) atomic_fetch_sub(&r->device_count, 1);
    *d = (struct in_device){.fd = -1};
}

/* A card reader's key: digits collect, Enter hands the number over. */
static void card_key(struct in_reader *r, struct in_device *d, enum rc_action action, int64_t now)
{
    int digit = rc_action_digit(action);
    size_t len = strlen(d->digits);
    if (digit >= 0 && len + 1 < sizeof(d->digits)) {
        d->digits[len] = (char)('0' + digit);
        d->digits[len + 1] = '\0';
    } else if (action == RC_ACTION_OK && len > 0) {
        struct in_event ev = {.kind = IN_EVENT_CARD, .time_ns = now};
        snprintf(ev.card, sizeof(ev.card), "%s", d->digits);
        in_queue_push(r, &ev);
        d->digits[0] = '\0';
    }
}

static void on_key(struct in_reader *r, int slot, unsigned code, int value, int64_t now)
{
    struct in_device *d = &r->devices[slot];
    const char *name = libevdev_event_code_get_name(EV_KEY, code);
    enum rc_action action = name ? rc_keymap_lookup(r->config.keymap, name) : RC_ACTION_NONE;
    if (value == 0) {
        in_held_release(&r->held, slot, code);
    } else if (value == 2) {
        in_held_still(&r->held, slot, code, now);
    } else if (value == 1 && d->card) {
        card_key(r, d, action, now);
    } else if (value == 1 && action == RC_ACTION_NONE) {
        SC_DEBUG(r->config.log, "input %s: key %s (%u) is not mapped", d->name, name ? name : "?",
                 code);
        if (!name) return;
        struct in_event ev = {.kind = IN_EVENT_ACTION, .action = RC_ACTION_NONE, .time_ns = now};
        snprintf(ev.key_name, sizeof(ev.key_name), "%s", name); /* a key to learn */
        in_queue_push(r, &ev);
    } else if (value == 1) {
        in_held_press(&r->held, slot, code, action, now);
        struct in_event ev = {.kind = IN_EVENT_ACTION, .action = action, .time_ns = now};
        snprintf(ev.key_name, sizeof(ev.key_name), "%s", name);
        in_queue_push(r, &ev);
    }
}

/* Raw records: struct timeval (16 bytes), u16 type, u16 code, s32 value. */
static void read_raw(struct in_reader *r, int slot, int64_t now)
{
    struct in_device *d = &r->devices[slot];
    unsigned char buf[IN_RAW_RECORD * 64];
    for (;;) {
        ssize_t n = read(d->fd, buf, sizeof(buf));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) return;
        if (n <= 0) {
            SC_INFO(r->config.log, "input: %s ended", d->path);
            in_device_close(r, slot);
            return;
        }
        for (ssize_t i = 0; i < n; i++) {
            d->raw[d->raw_len++] = buf[i];
            if (d->raw_len < IN_RAW_RECORD) continue;
            d->raw_len = 0;
            uint16_t type, code;
            int32_t value;
            memcpy(&type, d->raw + 16, 2);
            memcpy(&code, d->raw + 18, 2);
            memcpy(&value, d->raw + 20, 4);
            if (type == EV_KEY) on_key(r, slot, code, value, now);
            if (d->fd < 0) return;
        }
    }
}

static void read_evdev(struct in_reader *r, int slot, int64_t now)
{
    struct in_device *d = &r->devices[slot];
    unsigned flag = LIBEVDEV_READ_FLAG_NORMAL;
    int rc;
    do {
        struct input_event ev;
        rc = libevdev_next_event(d->dev, flag, &ev);
        if (rc == LIBEVDEV_READ_STATUS_SYNC) flag = LIBEVDEV_READ_FLAG_SYNC; /* events dropped */
        if (rc == -EAGAIN && flag == LIBEVDEV_READ_FLAG_SYNC) {
            flag = LIBEVDEV_READ_FLAG_NORMAL; /* in step again */
            rc = LIBEVDEV_READ_STATUS_SUCCESS;
            continue;
        }
        if (rc >= 0 && ev.type == EV_KEY) on_key(r, slot, ev.code, ev.value, now);
    } while (rc >= 0);
    if (rc != -EAGAIN) {
        SC_INFO(r->config.log, "input: %s (%s) has gone", d->path, d->name);
        in_device_close(r, slot);
    }
}

void in_device_read(struct in_reader *r, int slot, int64_t now)
{
    if (r->devices[slot].dev)
        read_evdev(r, slot, now);
    else
        read_raw(r, slot, now);
}
