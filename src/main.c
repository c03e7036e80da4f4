#include <signal.h>

#include "cli.h"

int
main(int argc, char **argv)
{
	/* A peer that closes a connection must cost at most a query, never
	 * the run: c-ares 1.18 writes TCP queries with writev(2) and rtrlib
	 * sends without MSG_NOSIGNAL, so either would raise SIGPIPE and kill
	 * a whole survey. Ignored, the write fails with EPIPE where it is
	 * handled (a closed standard output ends the run with exit 1). */
	signal(SIGPIPE, SIG_IGN);
	return hy_cli_main(argc, argv);
}
