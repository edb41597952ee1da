/* The libcec adapter (tv.h): libcec's C API (cecc.h). The kiosk registers on
 * the CEC bus as a playback device named "studycast"; the TV's remote keys
 * arrive through libcec's keyPress callback on libcec's thread. The only
 * file that sees libcec's types. */
#include "kiosk/tv/tv.h"

#include <errno.h>
#include <libcec/cecc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OPEN_TIMEOUT_MS 10000
#define MAX_ADAPTERS    4

struct libcec_adapter {
    libcec_connection_t conn;
    libcec_configuration config;
    ICECCallbacks callbacks;
    tv_code_fn on_code;
    void *opaque;
    struct sc_log *log;
};

/* libcec's thread: a press has duration 0, its release the time it was held. */
static void on_key(void *param, const cec_keypress *key)
{
    struct libcec_adapter *a = param;
    if (key->duration == 0) a->on_code(a->opaque, (int)key->keycode);
}

static void on_log(void *param, const cec_log_message *message)
{
    struct libcec_adapter *a = param;
    if (message->level & (CEC_LOG_ERROR | CEC_LOG_WARNING))
        SC_WARN(a->log, "libcec: %s", message->message);
}

static int power_on(void *impl)
{
    struct libcec_adapter *a = impl;
    return libcec_power_on_devices(a->conn, CECDEVICE_TV) ? 0 : -EIO;
}

static int standby(void *impl)
{
    struct libcec_adapter *a = impl;
    return libcec_standby_devices(a->conn, CECDEVICE_TV) ? 0 : -EIO;
}

static int set_active_source(void *impl)
{
    struct libcec_adapter *a = impl;
    return libcec_set_active_source(a->conn, CEC_DEVICE_TYPE_PLAYBACK_DEVICE) ? 0 : -EIO;
}

static enum tv_power power_state(void *impl)
{
    struct libcec_adapter *a = impl;
    switch (libcec_get_device_power_status(a->conn, CECDEVICE_TV)) {
    case CEC_POWER_STATUS_ON:
        return TV_POWER_ON;
    case CEC_POWER_STATUS_STANDBY:
        return TV_POWER_STANDBY;
    case CEC_POWER_STATUS_IN_TRANSITION_STANDBY_TO_ON:
        return TV_POWER_TO_ON;
    case CEC_POWER_STATUS_IN_TRANSITION_ON_TO_STANDBY:
        return TV_POWER_TO_STANDBY;
    default:
        return TV_POWER_UNKNOWN;
    }
}

static void close_adapter(void *impl)
{
    struct libcec_adapter *a = impl;
    libcec_close(a->conn);
    libcec_destroy(a->conn);
    free(a);
}

static const struct tv_adapter_ops libcec_ops = {
    .power_on = power_on,
    .standby = standby,
    .set_active_source = set_active_source,
    .power_state = power_state,
    .close = close_adapter,
};

int tv_libcec_open(tv_code_fn on_code, void *opaque, struct sc_log *log, struct tv_adapter *out)
{
    memset(out, 0, sizeof(*out));
    struct libcec_adapter *a = calloc(1, sizeof(*a));
    if (!a) return -ENOMEM;
    a->on_code = on_code;
    a->opaque = opaque;
    a->log = log;
    libcec_clear_configuration(&a->config);
    a->config.clientVersion = LIBCEC_VERSION_CURRENT;
    snprintf(a->config.strDeviceName, sizeof(a->config.strDeviceName), "studycast");
    a->config.deviceTypes.types[0] = CEC_DEVICE_TYPE_PLAYBACK_DEVICE;
    a->config.bActivateSource = 0; /* the policy decides when */
    a->callbacks.keyPress = on_key;
    a->callbacks.logMessage = on_log;
    a->config.callbacks = &a->callbacks;
    a->config.callbackParam = a;
    a->conn = libcec_initialise(&a->config);
    if (!a->conn) {
        free(a);
        return -ENOMEM;
    }
    cec_adapter_descriptor found[MAX_ADAPTERS];
    int8_t n = libcec_detect_adapters(a->conn, found, MAX_ADAPTERS, NULL, 1);
    if (n <= 0) {
        libcec_destroy(a->conn);
        free(a);
        return -ENODEV;
    }
    if (!libcec_open(a->conn, found[0].strComName, OPEN_TIMEOUT_MS)) {
        SC_WARN(log, "HDMI-CEC: the adapter on %s cannot be opened", found[0].strComName);
        libcec_destroy(a->conn);
        free(a);
        return -EIO;
    }
    out->ops = &libcec_ops;
    out->impl = a;
    libcec_adapter_type_to_string(found[0].adapterType, out->name, sizeof(out->name));
    snprintf(out->port, sizeof(out->port), "%.127s", found[0].strComName);
    return 0;
}
