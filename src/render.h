/* Human-readable rendering of a domain's JSON object (check output). */
#ifndef HYGIENE_RENDER_H
#define HYGIENE_RENDER_H

#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

void	hy_render_domain(FILE *, const json_t *obj, bool color);

#endif
