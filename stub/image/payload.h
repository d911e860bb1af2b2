/*
 * The image as the stub finds it in its own file: located, mapped and
 * checked before anything else, or described (--info). All before the
 * point of no return.
 */
#ifndef FREEZE_STUB_PAYLOAD_H
#define FREEZE_STUB_PAYLOAD_H

#include "stub.h"

/* load.c: the payload found, mapped and its records checked. */
void load_image(struct stub *st);
/* map_payload.c: find the payload in our own file, refuse a file longer or
 * shorter than the image, and map the payload at its place. */
void map_payload(struct stub *st);
/* verify_page_data.c: every chunk's stored data, on every usable CPU;
 * refuses a damaged image. Needs the stub's stacks. */
void verify_page_data(const struct stub *st);
/* info.c: ./image --info. */
void print_info(struct stub *st);
/* info_json.c: the same (and --verify's verdict) as one JSON document. */
void json_info(struct stub *st);

#endif
