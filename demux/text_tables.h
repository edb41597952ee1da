/* Built-in character tables of the DVB text decoder. */
#ifndef STUDYCAST_DEMUX_TEXT_TABLES_H
#define STUDYCAST_DEMUX_TEXT_TABLES_H

#include <stddef.h>
#include <stdint.h>

/* Decodes one character of table 00 at in[0..len): sets *used (1 or 2 bytes)
 * and writes 1 or 2 code points to out; returns how many. Invalid input
 * yields U+FFFD. in[0] must not be a C1 control (0x80..0x9F). */
int dmx_iso6937_decode(const uint8_t *in, size_t len, size_t *used, uint32_t out[2]);

#endif
