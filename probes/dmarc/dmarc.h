/*
 * DMARC (RFC 9989, which obsoletes RFC 7489): record parser, DNS Tree
 * Walk logic and the `dmarc` probe.
 *
 * The parser and the evaluation of a finished walk are pure functions so
 * unit tests can drive them without DNS; dmarc_probe.c only gathers the
 * answers.
 */
#ifndef HYGIENE_PROBE_DMARC_H
#define HYGIENE_PROBE_DMARC_H

#include <stdbool.h>
#include <stddef.h>

#include "hygiene/check.h"
#include "hygiene/findings.h"

enum hy_dmarc_policy {
	HY_DMARC_P_UNSET,	/* tag absent */
	HY_DMARC_P_NONE,
	HY_DMARC_P_QUARANTINE,
	HY_DMARC_P_REJECT,
	HY_DMARC_P_INVALID,	/* tag present with a bad value */
};

enum hy_dmarc_psd {
	HY_DMARC_PSD_U,		/* default */
	HY_DMARC_PSD_Y,
	HY_DMARC_PSD_N,
};

/* How a TXT string was classified by hy_dmarc_parse(). */
enum hy_dmarc_parse {
	HY_DMARC_PARSE_NOMEM = -1,
	HY_DMARC_PARSE_NOT_DMARC,	/* no leading v=DMARC1: discarded */
	HY_DMARC_PARSE_VALID,
	HY_DMARC_PARSE_INVALID,		/* a DMARC record with errors */
};

struct hy_dmarc_uri {
	char	*uri;		/* as published */
	char	*domain;	/* mailto: host part, or URI host; may be NULL */
};

/* A parsed record; owns everything it points to. */
struct hy_dmarc_record {
	char			*text;
	enum hy_dmarc_policy	 p, sp, np;
	enum hy_dmarc_psd	 psd;
	bool			 testing;	/* t=y */
	char			 adkim, aspf;	/* 'r' or 's' */
	struct hy_dmarc_uri	*rua, *ruf;	/* the valid URIs only */
	size_t			 nrua, nruf;
	bool			 has_pct;
	unsigned		 pct;		/* valid when has_pct */
	bool			 syntax_ok;	/* no syntax error (§4.8) */
	unsigned		 nerrors;	/* error findings, listed or not */
	struct hy_findings	 findings;
};

/*
 * Parse one TXT string (len bytes, may hold NULs). On VALID or INVALID
 * *rec is filled and must be released with hy_dmarc_record_clear();
 * otherwise it is left cleared. INVALID means the record has an error
 * finding; receivers may still act on it (see hy_dmarc_evaluate()).
 */
enum hy_dmarc_parse hy_dmarc_parse(const char *txt, size_t len,
		    struct hy_dmarc_record *rec);
void		 hy_dmarc_record_clear(struct hy_dmarc_record *);
const char	*hy_dmarc_policy_str(enum hy_dmarc_policy);
/*
 * Why a TXT string that hy_dmarc_parse() calls NOT_DMARC is not a DMARC
 * record, when it looks like an attempt at one (it mentions DMARC); NULL
 * when it has nothing to do with DMARC. A static string.
 */
const char	*hy_dmarc_why_not(const char *txt, size_t len);

/*
 * The DNS Tree Walk (RFC 9989 §4.10) on a name: the next target after
 * cur, written into next (size >= 256), or false when no labels remain.
 */
bool		 hy_dmarc_walk_next(const char *cur, char *next, size_t size);
/* Number of labels of a name (no trailing dot expected). */
size_t		 hy_dmarc_labels(const char *name);

/* One name the walk queried. */
enum hy_dmarc_lookup {
	HY_DMARC_L_PENDING,
	HY_DMARC_L_NONE,	/* no DMARC record (NXDOMAIN/NODATA/none) */
	HY_DMARC_L_ONE,		/* exactly one DMARC record */
	HY_DMARC_L_MULTIPLE,	/* more than one: all discarded */
	HY_DMARC_L_FAILED,	/* could not measure */
};

struct hy_dmarc_step {
	char			 name[256];
	enum hy_dmarc_lookup	 lookup;
	enum hy_dmarc_parse	 parse;		/* for L_ONE */
	struct hy_dmarc_record	 rec;		/* for L_ONE */
	size_t			 ndmarc;	/* TXT records with v=DMARC1 */
	size_t			 nother;	/* other TXT records, discarded */
	char			*other;		/* one of those, UTF-8-safe */
	const char		*other_why;	/* hy_dmarc_why_not() of it */
};

/*
 * Gathering one step's answer: add each TXT string (RFC 9989 §4.5: the
 * character-strings of one RR joined), then end the step, which sets
 * lookup to NONE, ONE or MULTIPLE (§4.10 step 2). add returns -1 on OOM
 * (the step is then unusable: mark it FAILED). clear releases the step's
 * records; the name stays.
 */
int		 hy_dmarc_step_add(struct hy_dmarc_step *, const char *txt,
		    size_t len);
void		 hy_dmarc_step_end(struct hy_dmarc_step *);
void		 hy_dmarc_step_clear(struct hy_dmarc_step *);

enum hy_dmarc_status {
	HY_DMARC_VALID,
	HY_DMARC_ABSENT,
	HY_DMARC_INVALID,
	HY_DMARC_TEMPERROR,
};

enum hy_dmarc_exists {
	HY_DMARC_EXISTS_UNKNOWN,
	HY_DMARC_EXISTS_YES,
	HY_DMARC_EXISTS_NO,	/* NXDOMAIN (RFC 9989 after RFC 8020) */
};

enum hy_dmarc_source {
	HY_DMARC_SRC_NONE,
	HY_DMARC_SRC_P,
	HY_DMARC_SRC_SP,
	HY_DMARC_SRC_NP,
};

/*
 * What the evaluation of a walk concluded. Borrows from the steps.
 *
 * status is the verdict on what is published: VALID when a record
 * applies and neither it nor a discarded record at or below its name has
 * an error; INVALID when one has (or DMARC-like records were published
 * and all discarded); ABSENT when nothing DMARC-like was found; TEMPERROR
 * when a lookup that could change the outcome failed. policy is what a
 * receiver applies (§4.10.1), whatever the status: P_UNSET when DMARC
 * does not apply or could not be measured.
 */
struct hy_dmarc_eval {
	enum hy_dmarc_status	 status;
	const struct hy_dmarc_step *policy_step;	/* record used, or NULL */
	char			 org_domain[256];	/* "" if undetermined */
	enum hy_dmarc_policy	 policy;		/* for this domain */
	enum hy_dmarc_source	 source;
	enum hy_dmarc_policy	 subdomain_policy;
	struct hy_findings	 findings;		/* owned */
};

/*
 * Evaluate a finished walk. steps[0] is the domain itself; with psl set
 * the steps are [domain, PSL organizational domain] and org is given,
 * otherwise steps are the Tree Walk targets in order. Returns 0, -1 on
 * OOM. Release e with hy_dmarc_eval_clear().
 */
int		 hy_dmarc_evaluate(const struct hy_dmarc_step *steps,
		    size_t nsteps, bool psl, const char *psl_org,
		    enum hy_dmarc_exists exists, struct hy_dmarc_eval *e);
void		 hy_dmarc_eval_clear(struct hy_dmarc_eval *);
const char	*hy_dmarc_status_str(enum hy_dmarc_status);

/* True if host is name or a subdomain of it (case-insensitive). */
bool		 hy_dmarc_name_under(const char *host, const char *name);

/*
 * The Organizational Domain by the Public Suffix List (the RFC 7489
 * method, kept for comparison): the registrable domain of name, lower
 * case, malloc'd; NULL when name is itself a public suffix, malformed
 * (empty labels), or on OOM. ctx NULL means libpsl's built-in list.
 */
struct psl_ctx_st;
char		*hy_dmarc_psl_org(const struct psl_ctx_st *ctx, const char *name);

/* Options of the probe for one run (set before the first check). */
struct hy_dmarc_opts {
	bool		 use_psl;	/* PSL discovery instead of Tree Walk */
	const char	*psl_file;	/* NULL: libpsl's built-in list */
};
int		 hy_dmarc_set_options(struct hy_run *,
		    const struct hy_dmarc_opts *);

extern const struct hy_probe hy_probe_dmarc;

#endif
