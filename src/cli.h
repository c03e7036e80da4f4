/*
 * Command-line plumbing shared by the subcommands (src/cmd_*.c). Only the
 * CLI prints to the user and decides exit codes.
 */
#ifndef HYGIENE_CLI_H
#define HYGIENE_CLI_H

#include "hygiene/config.h"

enum hy_exit {
	HY_EXIT_OK = 0,		/* everything was measured */
	HY_EXIT_FAIL = 1,	/* could not run (I/O, resolver, RTR sync, ...) */
	HY_EXIT_USAGE = 2,	/* bad command line */
	HY_EXIT_INCOMPLETE = 3,	/* ran, but some inputs could not be measured */
};

/* A subcommand-specific option. id must be >= 1000. */
struct hy_cli_opt {
	const char	*name;
	int		 has_arg;	/* no_argument / required_argument */
	int		 id;
	const char	*arg_name;	/* for --help, NULL without argument */
	const char	*help;
};

/* Called for each subcommand option; returns 0, or -1 after printing a
 * usage error to stderr. */
typedef int (*hy_cli_opt_fn)(void *ctx, int id, const char *arg);

/*
 * Parse the global options into cfg and the command's own options
 * (terminated by a {NULL} entry) through fn. Returns the index of the
 * first positional argument, or -1 after printing a usage error, or -2
 * when --help was shown.
 */
int	hy_cli_parse(int argc, char **argv, const char *cmd,
	    struct hy_config *cfg, const struct hy_cli_opt *extra,
	    hy_cli_opt_fn fn, void *ctx);
/* Print "hygiene CMD: msg" to stderr, control characters and bytes that
 * are not UTF-8 shown as \xHH (the message may quote input). */
void	hy_cli_error(const char *cmd, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* The same, with the hint to use --help. */
void	hy_cli_usage_error(const char *cmd, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
void	hy_cli_help(const char *cmd, const struct hy_cli_opt *extra);

struct hy_vrps;
/* The VRPs of cfg (--vrps FILE or the RTR cache), with the RTR sync's
 * progress on a terminal. 0, or -1 after printing why to stderr. */
int	hy_cli_vrps(const char *cmd, const struct hy_config *cfg,
	    struct hy_vrps **out);

/* Subcommands: int cmd_NAME(int argc, char **argv), argv[0] = NAME. */
int	cmd_check(int argc, char **argv);
int	cmd_spf(int argc, char **argv);
int	cmd_rpki(int argc, char **argv);
int	cmd_survey(int argc, char **argv);
int	cmd_report(int argc, char **argv);
int	cmd_datasets(int argc, char **argv);
int	cmd_explain(int argc, char **argv);

int	hy_cli_main(int argc, char **argv);

#endif
