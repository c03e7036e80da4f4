/*
 * `hygiene check`: the per-domain orchestration.
 *
 * A struct hy_run holds what is shared by every domain of one run: the
 * loop, the DNS engine, the configuration and each probe's shared state
 * (e.g. the DNSSEC key cache, the RPKI table). A struct hy_check is one
 * domain in flight. The core itself resolves `ns` and `mx` (the "base"
 * data) and then runs the registered probes; when all are done the
 * domain's JSON object is handed to the caller's callback.
 *
 * Probes (probes/<name>/) implement struct hy_probe and are listed in
 * src/probes.c. A probe's start() issues DNS/HTTP work through the
 * check's group (so the domain deadline covers it) and calls
 * hy_check_probe_done() exactly once, from a callback, when finished.
 * emit() then writes the probe's section(s) into the domain's JSON object;
 * it may also annotate the base data (e.g. RPKI state of MX addresses).
 */
#ifndef HYGIENE_CHECK_H
#define HYGIENE_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <jansson.h>

#include "hygiene/config.h"
#include "hygiene/dns.h"
#include "hygiene/loop.h"

struct hy_run;
struct hy_check;

enum hy_probe_phase {
	HY_PHASE_START,		/* runs at once, alongside ns/mx */
	HY_PHASE_AFTER_BASE,	/* runs once ns/mx and their addresses are known */
};

struct hy_probe {
	const char		*name;
	enum hy_probe_phase	 phase;
	/* Optional: shared state for the run. 0 on success; -1 with the
	 * reason in err (the CLI prints it and exits). A warning that does
	 * not stop the run goes through hy_run_warn(). */
	int	(*run_init)(struct hy_run *, void **shared, char *err,
		    size_t errlen);
	void	(*run_free)(void *shared);
	/* Optional: a run-wide sanity check before any domain (e.g. that the
	 * trust anchor validates the root's keys). 0 on success, and then
	 * hy_run_check_done() follows exactly once, from a callback; -1 on
	 * OOM. */
	int	(*run_check)(struct hy_run *, void *shared);
	/* Start on one domain. 0 on success (done will follow); -1 means the
	 * probe could not start (out of memory) and done will not follow. */
	int	(*start)(struct hy_check *, void **state);
	/* Write section(s) into obj. 0, or -1 on OOM. */
	int	(*emit)(struct hy_check *, void *state, json_t *obj);
	void	(*free)(void *state);
};

/* The registry, in src/probes.c. */
extern const struct hy_probe *const hy_probes[];
extern const size_t hy_nprobes;

/* An address of an NS or MX host. */
struct hy_addr {
	int		 family;	/* AF_INET / AF_INET6 */
	unsigned char	 bytes[16];
	char		 text[48];
};

struct hy_host {
	char		*name;		/* A-label, no trailing dot */
	unsigned	 preference;	/* MX only */
	struct hy_addr	*addrs;
	size_t		 naddrs;
	enum hy_dns_status a_status, aaaa_status;
};

/* What the base lookups found. status fields keep "absent" apart from
 * "could not measure". */
struct hy_base {
	enum hy_dns_status ns_status;
	struct hy_host	*ns;
	size_t		 nns;
	enum hy_dns_status mx_status;
	struct hy_host	*mx;
	size_t		 nmx;
	bool		 null_mx;	/* RFC 7505: exactly one MX 0 . */
};

typedef void (*hy_check_done_fn)(void *arg, struct hy_check *, json_t *obj);

/* On failure returns NULL with the reason in err. */
struct hy_run	*hy_run_new(struct hy_loop *, const struct hy_config *,
		    char *err, size_t errlen);
/* Warnings for the user gathered while setting up (the CLI prints
 * them); a JSON array of strings owned by the run. */
const json_t	*hy_run_warnings(const struct hy_run *);
int		 hy_run_warn(struct hy_run *, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));
void		 hy_run_free(struct hy_run *);
/*
 * Run every probe's run_check (the loop runs until all report). Returns
 * 0, or -1 with the reason in err when the run must stop: the CLI prints
 * it and exits 1.
 */
int		 hy_run_preflight(struct hy_run *, char *err, size_t errlen);
/* A probe's run_check result: ok false with a message stops the run. */
void		 hy_run_check_done(struct hy_run *, const struct hy_probe *,
		    bool ok, const char *msg);
struct hy_loop	*hy_run_loop(struct hy_run *);
struct hy_dns	*hy_run_dns(struct hy_run *);
const struct hy_config *hy_run_config(const struct hy_run *);
/* The shared state probe p created in run_init (NULL if none). */
void		*hy_run_shared(struct hy_run *, const struct hy_probe *p);

/*
 * Start checking input (a name as the user typed it). done receives the
 * domain's JSON object (a new reference the callback owns) when every
 * probe has finished or the deadline passed; the check is freed right
 * after done returns. A name that fails validation is reported through
 * done too, with `errors` filled in. Returns 0, or -1 on OOM.
 */
int		 hy_check_start(struct hy_run *, const char *input,
		    hy_check_done_fn done, void *arg);
/* Number of checks in flight in the run. */
size_t		 hy_run_in_flight(const struct hy_run *);

/* Accessors for probes. */
struct hy_run	*hy_check_run(struct hy_check *);
const char	*hy_check_domain(const struct hy_check *);	/* A-label */
struct hy_dns_group *hy_check_group(struct hy_check *);
const struct hy_base *hy_check_base(const struct hy_check *);
time_t		 hy_check_now(const struct hy_check *);	/* --at or now */
/* Monotonic ms left before the domain deadline (0 if passed). */
uint64_t	 hy_check_time_left(struct hy_check *);
/* State of another probe by name (valid once that probe is done), or
 * NULL; lets e.g. mta_sts reuse mx data or a summary combine verdicts. */
void		*hy_check_probe_state(struct hy_check *, const char *name);
void		 hy_check_probe_done(struct hy_check *, const struct hy_probe *);
/* Record a domain-level error {code, message} in `errors`. */
int		 hy_check_error(struct hy_check *, const char *code,
		    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* True if the object shows something that could not be measured (errors,
 * a timeout, an indeterminate/temperror verdict). Used for exit codes. */
bool		 hy_check_incomplete(const json_t *obj);

#define HY_SCHEMA_VERSION "1.0"

#endif
