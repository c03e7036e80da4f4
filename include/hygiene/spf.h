/*
 * SPF (RFC 7208): the record parser, the macro expander and check_host()
 * as a pure, resumable state machine.
 *
 * The evaluator does no I/O. hy_spf_step() runs until it either needs one
 * DNS answer (hy_spf_query() tells which name and type) or is done. The
 * caller fetches the answer however it likes (the async DNS engine in
 * probes/spf/spf_dns.c, or a zone table in the test-suite runner) and
 * hands it over with hy_spf_answer(); then it calls hy_spf_step() again.
 * Both drivers therefore run exactly the same evaluation code.
 *
 * The same machine also analyses a domain's policy (HY_SPF_ANALYZE): no
 * client IP, no mechanism ever matches except `all`, include/redirect
 * are expanded into a tree, and the §4.6.4 limits are counted past their
 * limit (up to HY_SPF_COUNT_CAP) so a report shows the true numbers.
 *
 * Ownership: every struct here is owned by whoever created it and is
 * released with its _free(), which accepts NULL. Strings returned by
 * accessors belong to the evaluator and live as long as it does.
 */
#ifndef HYGIENE_SPF_H
#define HYGIENE_SPF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "hygiene/findings.h"

/* check_host() results, RFC 7208 §2.6. */
enum hy_spf_result {
	HY_SPF_NONE,
	HY_SPF_NEUTRAL,
	HY_SPF_PASS,
	HY_SPF_FAIL,
	HY_SPF_SOFTFAIL,
	HY_SPF_TEMPERROR,
	HY_SPF_PERMERROR,
};

const char	*hy_spf_result_str(enum hy_spf_result);

/* §4.6.4 processing limits. */
#define HY_SPF_MAX_LOOKUPS	10	/* DNS-querying terms */
#define HY_SPF_MAX_VOID		2	/* void lookups */
#define HY_SPF_MAX_NAMES	10	/* names per mx / ptr */
/* Analysis keeps counting lookups up to this many, then stops. */
#define HY_SPF_COUNT_CAP	100

/* ---- Records --------------------------------------------------------- */

enum hy_spf_mech {
	HY_SPF_ALL,
	HY_SPF_INCLUDE,
	HY_SPF_A,
	HY_SPF_MX,
	HY_SPF_PTR,
	HY_SPF_IP4,
	HY_SPF_IP6,
	HY_SPF_EXISTS,
};

enum hy_spf_term_kind {
	HY_SPF_DIRECTIVE,
	HY_SPF_REDIRECT,
	HY_SPF_EXP,
	HY_SPF_UNKNOWN_MOD,
};

struct hy_spf_term {
	enum hy_spf_term_kind kind;
	enum hy_spf_mech mech;		/* directives only */
	char		 qualifier;	/* '+', '-', '~', '?' */
	char		*spec;		/* domain-spec / macro-string, or NULL */
	unsigned char	 addr[16];	/* ip4 (first 4 bytes) / ip6 network */
	unsigned	 cidr4, cidr6;	/* prefix lengths (32/128 default) */
	char		*text;		/* the term as written */
};

struct hy_spf_record {
	struct hy_spf_term *terms;
	size_t		 nterms;
	int		 redirect;	/* index of redirect=, or -1 */
	int		 exp;		/* index of exp=, or -1 */
	bool		 has_all;
};

/* Where and why a record failed to parse. */
struct hy_spf_perr {
	size_t		 pos;		/* byte offset in the record */
	char		 msg[160];
};

/*
 * True if txt (len bytes, not NUL-terminated) is an SPF record: it starts
 * with "v=spf1" followed by a space or the end (§4.5).
 */
bool		 hy_spf_is_record(const char *txt, size_t len);

/*
 * Parse a complete record, version included, strictly per §4.6 and §5-§7.
 * Returns 0 and sets *out, -1 with *err filled in on a syntax error
 * (a permerror), or -2 when out of memory.
 */
int		 hy_spf_parse(const char *txt, size_t len,
		    struct hy_spf_record **out, struct hy_spf_perr *err);
void		 hy_spf_record_free(struct hy_spf_record *);

/* ---- Macros (§7) ----------------------------------------------------- */

/* An IP address; family is 4 or 6 (IPv4-mapped IPv6 is given as 4). */
struct hy_spf_ip {
	int		 family;
	unsigned char	 b[16];
};

/* Parse text into ip; IPv4-mapped IPv6 becomes family 4. 0 or -1. */
int		 hy_spf_ip_parse(const char *text, struct hy_spf_ip *ip);

/* What macros expand from. Strings are borrowed. */
struct hy_spf_macro_ctx {
	const char	*sender;	/* local@domain (s) */
	const char	*local;		/* l */
	const char	*sender_domain;	/* o */
	const char	*domain;	/* d: the current <domain> */
	const struct hy_spf_ip *ip;	/* i, c, v; NULL in analysis */
	const char	*validated;	/* p, if already resolved */
	const char	*helo;		/* h */
	const char	*receiver;	/* r */
	time_t		 now;		/* t */
};

/* Syntax check of a macro-string; exp allows c, r and t (§7.2). */
bool		 hy_spf_macro_valid(const char *s, size_t len, bool exp);
/* True if the macro-string uses one of the letters (case-insensitive). */
bool		 hy_spf_macro_uses(const char *s, const char *letters);
/*
 * Expand a NUL-terminated macro-string. For a domain-spec (exp false) the
 * result is shortened from the left to 253 octets (§4.8). Returns 0 with
 * *out malloc'd, -1 on a syntax error (or a letter whose value is not
 * available), -2 when out of memory.
 */
int		 hy_spf_macro_expand(const struct hy_spf_macro_ctx *,
		    const char *s, bool exp, char **out);

/* ---- Evaluation ------------------------------------------------------ */

/* A DNS answer as the evaluator sees it. */
enum hy_spf_dns {
	HY_SPF_DNS_ANSWER,	/* records follow (possibly none of use) */
	HY_SPF_DNS_NODATA,
	HY_SPF_DNS_NXDOMAIN,
	HY_SPF_DNS_TEMPFAIL,	/* timeout, SERVFAIL, ...: "could not measure" */
};

/* RR types, with the values of the DNS registry. */
#define HY_SPF_T_A	1
#define HY_SPF_T_MX	15
#define HY_SPF_T_PTR	12
#define HY_SPF_T_TXT	16
#define HY_SPF_T_AAAA	28

/* "A", "MX", ... for one of the types above; "?" otherwise. */
const char	*hy_spf_type_str(int type);

/* One record of the asked type. TXT: data/len is the concatenation of
 * the character-strings; MX/PTR: data is the target name; A/AAAA: addr. */
struct hy_spf_rr {
	const char	*data;
	size_t		 len;
	unsigned char	 addr[16];
};

enum hy_spf_mode {
	HY_SPF_EVALUATE,	/* check_host() for a client IP */
	HY_SPF_ANALYZE,		/* policy analysis, no client IP */
};

struct hy_spf_params {
	enum hy_spf_mode mode;
	const char	*domain;	/* <domain> */
	const char	*sender;	/* MAIL FROM (may be empty) */
	const char	*helo;
	struct hy_spf_ip ip;		/* EVALUATE only */
	const char	*receiver;	/* %{r}; NULL -> "unknown" */
	const char	*default_exp;	/* NULL -> a built-in text */
	time_t		 now;
};

struct hy_spf_eval;

enum hy_spf_step {
	HY_SPF_STEP_DNS,	/* answer hy_spf_query() with hy_spf_answer() */
	HY_SPF_STEP_DONE,
	HY_SPF_STEP_NOMEM,
};

/* NULL on OOM. Strings in p are copied. */
struct hy_spf_eval *hy_spf_eval_new(const struct hy_spf_params *p);
void		 hy_spf_eval_free(struct hy_spf_eval *);

enum hy_spf_step hy_spf_step(struct hy_spf_eval *);
/* The pending question (valid after STEP_DNS until hy_spf_answer()). */
void		 hy_spf_query(const struct hy_spf_eval *, const char **name,
		    int *type);
/* Hand over the answer to the pending question; rrs are copied. 0 or -1
 * (OOM). */
int		 hy_spf_answer(struct hy_spf_eval *, enum hy_spf_dns,
		    const struct hy_spf_rr *rrs, size_t nrrs);

/* Results, valid once hy_spf_step() returned STEP_DONE. */
enum hy_spf_result hy_spf_eval_result(const struct hy_spf_eval *);
/* The explanation for a fail (§6.2), else NULL. */
const char	*hy_spf_eval_explanation(const struct hy_spf_eval *);
/* Why the result was reached, for humans ("matched -all in ..."). */
const char	*hy_spf_eval_reason(const struct hy_spf_eval *);
/* The selected record at <domain> as shown: every byte, those outside
 * printable ASCII as \xHH (hy_txt_printable()); NULL if none. */
const char	*hy_spf_eval_record(const struct hy_spf_eval *);
unsigned	 hy_spf_eval_lookups(const struct hy_spf_eval *);
unsigned	 hy_spf_eval_void(const struct hy_spf_eval *);
/* DNS questions asked (for benchmarks and tests). */
unsigned	 hy_spf_eval_queries(const struct hy_spf_eval *);
/* The effective final `all` ("-all", "~all", "?all", "+all") or NULL. */
const char	*hy_spf_eval_all(const struct hy_spf_eval *);
const struct hy_findings *hy_spf_eval_findings(const struct hy_spf_eval *);

/* The include/redirect tree built while evaluating or analysing. */
struct hy_spf_node {
	const char	*via;		/* "include" / "redirect" */
	char		*domain;
	char		*record;	/* NULL if none */
	enum hy_spf_result status;	/* the node's own outcome */
	struct hy_spf_node **kids;
	size_t		 nkids;
};
/* The children of the top node are the includes/redirects of <domain>. */
const struct hy_spf_node *hy_spf_eval_tree(const struct hy_spf_eval *);

/* ---- Driving it from the DNS engine (probes/spf/spf_dns.c) ----------- */

struct hy_loop;
struct hy_dns_group;

/* nomem is true if the evaluation stopped for lack of memory. */
typedef void (*hy_spf_done_fn)(void *arg, struct hy_spf_eval *, bool nomem);

/*
 * Run ev to completion with queries on group (whose deadline bounds it:
 * pending questions are then answered as timeouts, i.e. temperror). done
 * is called exactly once, always from a loop callback, never from inside
 * hy_spf_run(). ev and group must outlive the run. Returns 0, or -1 on
 * OOM (done will not be called).
 */
int		 hy_spf_run(struct hy_loop *, struct hy_dns_group *,
		    struct hy_spf_eval *, hy_spf_done_fn done, void *arg);

/* ---- The `spf` section probe (probes/spf/spf_probe.c) ---------------- */

struct hy_probe;
extern const struct hy_probe hy_probe_spf;

/*
 * For other probes (e.g. the "protected no-mail domain" verdict): the
 * finished analysis behind hy_check_probe_state(c, "spf"), or NULL if it
 * did not finish. Read it with hy_spf_eval_result()/_all()/_record();
 * hy_spf_status_str() maps the result to the section's status.
 */
const struct hy_spf_eval *hy_spf_probe_eval(const void *state);

/* "valid", "none", "permerror" or "temperror" for a result. */
const char	*hy_spf_status_str(enum hy_spf_result);
/* The `spf` section (a new JSON object) for a finished analysis; NULL on
 * OOM. */
struct json_t	*hy_spf_section_json(const struct hy_spf_eval *);
/* Explanation text s as a JSON string (bytes outside printable ASCII as
 * \xHH, as hy_txt_printable() writes them), JSON null for NULL; a new
 * reference, NULL on OOM. Records are already in that form. */
struct json_t	*hy_spf_text_json(const char *s);

#endif
