/*
 * The VRP set of a command (--vrps FILE or the RTR cache), loaded once by
 * the CLI so the RTR sync can show its progress on a terminal; the check
 * run borrows the set (hy_config.vrp_set).
 */
#include <stdio.h>
#include <unistd.h>

#include "cli.h"
#include "hygiene/rpki.h"

struct vrps_progress {
	FILE		*tty;	/* stderr as it was before rtrlib diverted it */
	const char	*host;
	int		 shown;
};

static void
vrps_progress(void *arg, size_t n, uint64_t elapsed_ms)
{
	struct vrps_progress *p = arg;

	fprintf(p->tty, "\rRTR cache %s: %zu VRPs received, %llu s   ",
	    p->host, n, (unsigned long long)(elapsed_ms / 1000));
	fflush(p->tty);
	p->shown = 1;
}

int
hy_cli_vrps(const char *cmd, const struct hy_config *cfg,
    struct hy_vrps **out)
{
	struct hy_vrps_opts o;
	struct vrps_progress p = { NULL, cfg->rtr, 0 };
	char err[1024];
	int fd, rc;

	hy_vrps_opts_init(&o, cfg);
	/* Progress only on a terminal; rtrlib's thread writes its debug
	 * lines to fd 2, which is diverted while it runs, so the progress
	 * goes to a copy of the terminal's descriptor. */
	if (o.file == NULL && isatty(STDERR_FILENO) &&
	    (fd = dup(STDERR_FILENO)) >= 0) {
		if ((p.tty = fdopen(fd, "w")) == NULL)
			close(fd);
		else {
			o.rtr.progress = vrps_progress;
			o.rtr.progress_arg = &p;
		}
	}
	rc = hy_vrps_open(&o, out, err, sizeof(err));
	if (p.tty != NULL) {
		if (p.shown)
			fputc('\n', p.tty);
		fclose(p.tty);
	}
	if (rc != 0)
		hy_cli_error(cmd, "%s", err);
	return rc;
}
