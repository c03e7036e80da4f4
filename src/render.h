/* Human-readable rendering of a domain's JSON object (check output). */
#ifndef HYGIENE_RENDER_H
#define HYGIENE_RENDER_H

#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

struct hy_render_opts {
	bool	color;		/* SGR colours (a terminal without NO_COLOR) */
	int	width;		/* wrap at this many columns (hy_term_width) */
};

void	hy_render_domain(FILE *, const json_t *obj,
	    const struct hy_render_opts *);

#endif
