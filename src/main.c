#include "cli.h"

int
main(int argc, char **argv)
{
	return hy_cli_main(argc, argv);
}
