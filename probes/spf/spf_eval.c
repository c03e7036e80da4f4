/*
 * check_host() (RFC 7208 §4-§6) as a resumable state machine.
 *
 * The evaluation is a stack of frames, one per record being evaluated:
 * the checked domain at the bottom, then one frame per include or
 * redirect in progress. Each frame is in one state (fetching its TXT,
 * walking its terms, waiting for the answer a term asked for, waiting for
 * a child frame). hy_spf_step() advances the top frame until it needs a
 * DNS answer or the bottom frame has a result; nothing here does I/O.
 *
 * A redirect is a child frame whose result becomes its parent's result,
 * so the whole include/redirect chain stays on the stack: that is what
 * loop detection looks at.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hygiene/name.h"
#include "hygiene/spf.h"
#include "hygiene/txt.h"

#define SPF_DEFAULT_EXP "SPF check_host() failed (RFC 7208 §2.6.4)"

enum fstate {
	FS_START,	/* nothing asked yet */
	FS_FETCH,	/* waiting for TXT at the frame's domain */
	FS_TERMS,	/* at term ti, nothing pending */
	FS_A,		/* a: waiting for A/AAAA of target */
	FS_MX,		/* mx: waiting for MX of target */
	FS_MX_ADDR,	/* mx: waiting for A/AAAA of names[ni] */
	FS_PTR,		/* ptr: waiting for PTR of the client IP */
	FS_PTR_ADDR,	/* ptr: waiting for A/AAAA of names[ni] */
	FS_EXISTS,	/* exists: waiting for A of target */
	FS_PM_PTR,	/* %{p}: waiting for PTR of the client IP */
	FS_PM_ADDR,	/* %{p}: waiting for A/AAAA of pnames[pni] */
	FS_CHILD,	/* include/redirect: waiting for the child frame */
	FS_EXP,		/* exp=: waiting for the explanation TXT */
};

struct frame {
	char		*domain;
	const char	*via;		/* NULL, "include", "redirect" */
	struct hy_spf_record *rec;
	struct hy_spf_node *node;
	enum fstate	 st;
	size_t		 ti;		/* current term */
	bool		 counted;	/* term ti counted against the limit */
	char		*target;	/* expanded target of term ti */
	char		**names;	/* mx/ptr names being checked */
	size_t		 nnames, ni;
	bool		 aaaa;		/* analysis: a-mech AAAA fallback */
	bool		 child_redirect;
};

/* The %{p} macro's validated names, resolved once per evaluation. */
enum pm_state { PM_NONE, PM_RUNNING, PM_DONE };

struct hy_spf_eval {
	enum hy_spf_mode mode;
	char		*domain, *sender, *local, *sender_domain, *helo;
	char		*receiver, *default_exp;
	struct hy_spf_ip ip;
	time_t		 now;

	struct frame	*stack;
	size_t		 depth, cap;

	/* The pending question and its answer. */
	char		*qname;
	int		 qtype;
	bool		 asked;		/* a question is outstanding */
	bool		 have_answer;
	enum hy_spf_dns	 astatus;
	struct hy_spf_rr *arrs;
	size_t		 narrs;

	unsigned	 lookups, voids, queries;
	bool		 over_lookups, over_voids, over_mx;

	enum pm_state	 pm;
	char		**pnames, **pvalid;
	size_t		 npnames, pni, npvalid;
	char		*pchosen;

	bool		 done;
	bool		 exp_saved, exp_started;
	char		*exp_domain, *exp_spec;	/* final record's exp= */
	char		*exp_text;	/* fetched, waiting for %{p} */
	enum hy_spf_result result;
	char		*explanation, *reason, *record;
	const char	*all;
	struct hy_spf_node *root;
	struct hy_findings findings;
	bool		 oom;
};

static const char *const all_text[] = { "+all", "-all", "~all", "?all" };

/* ---- Small helpers --------------------------------------------------- */

static char *
xstrdup(struct hy_spf_eval *ev, const char *s)
{
	char *d = strdup(s ? s : "");

	if (d == NULL)
		ev->oom = true;
	return d;
}

static void
strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void
node_free(struct hy_spf_node *n)
{
	if (n == NULL)
		return;
	for (size_t i = 0; i < n->nkids; i++)
		node_free(n->kids[i]);
	free(n->kids);
	free(n->domain);
	free(n->record);
	free(n);
}

static struct hy_spf_node *
node_new(struct hy_spf_eval *ev, struct hy_spf_node *parent, const char *via,
    const char *domain)
{
	struct hy_spf_node *n, **nk;

	if ((n = calloc(1, sizeof(*n))) == NULL ||
	    (n->domain = strdup(domain)) == NULL)
		goto oom;
	n->via = via;
	n->status = HY_SPF_NONE;
	if (parent != NULL) {
		nk = reallocarray(parent->kids, parent->nkids + 1, sizeof(*nk));
		if (nk == NULL)
			goto oom;
		parent->kids = nk;
		nk[parent->nkids++] = n;
	}
	return n;
oom:
	node_free(n);
	ev->oom = true;
	return NULL;
}

static void
finding(struct hy_spf_eval *ev, const char *code, enum hy_severity sev,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
finding(struct hy_spf_eval *ev, const char *code, enum hy_severity sev,
    const char *fmt, ...)
{
	va_list ap;
	char *msg = NULL;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (msg == NULL || hy_findings_add(&ev->findings, code, sev, "%s",
	    msg) != 0)
		ev->oom = true;
	free(msg);
}

static void
set_reason(struct hy_spf_eval *ev, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
set_reason(struct hy_spf_eval *ev, const char *fmt, ...)
{
	va_list ap;
	char *msg = NULL;

	if (ev->reason != NULL)
		return;		/* the first (innermost) reason wins */
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0) {
		msg = NULL;
		ev->oom = true;
	}
	va_end(ap);
	/* The reason may quote DNS data, which need not be UTF-8. */
	if (msg != NULL && (ev->reason = hy_txt_utf8(msg, strlen(msg))) ==
	    NULL)
		ev->oom = true;
	free(msg);
}

/* True if name equals domain or is a subdomain of it. */
static bool
name_under(const char *name, const char *domain)
{
	size_t ln = strlen(name), ld = strlen(domain);

	if (ln > 0 && name[ln - 1] == '.')
		ln--;
	if (ld > 0 && domain[ld - 1] == '.')
		ld--;
	if (ln == ld)
		return strncasecmp(name, domain, ln) == 0;
	return ln > ld && name[ln - ld - 1] == '.' &&
	    strncasecmp(name + ln - ld, domain, ld) == 0;
}

/*
 * §4.3: a <domain> that is not a multi-label name, or has an empty label
 * or a label over 63 octets, is malformed.
 */
static bool
domain_valid(const char *d)
{
	size_t len = strlen(d), lab = 0, labels = 0;

	if (len > 0 && d[len - 1] == '.')
		len--;
	if (len == 0 || len > 253)
		return false;
	for (size_t i = 0; i <= len; i++) {
		if (i == len || d[i] == '.') {
			if (lab == 0 || lab > 63)
				return false;
			labels++;
			lab = 0;
		} else
			lab++;
	}
	return labels >= 2;
}

static bool
ip_in(const struct hy_spf_ip *ip, const unsigned char *net, unsigned plen)
{
	unsigned full = plen / 8, rest = plen % 8;

	if (memcmp(ip->b, net, full) != 0)
		return false;
	if (rest == 0)
		return true;
	return ((ip->b[full] ^ net[full]) & (0xff << (8 - rest))) == 0;
}

static char *
reverse_name(struct hy_spf_eval *ev)
{
	static const char hex[] = "0123456789abcdef";
	char buf[80];
	size_t o = 0;

	if (ev->ip.family == 4) {
		snprintf(buf, sizeof(buf), "%u.%u.%u.%u.in-addr.arpa",
		    ev->ip.b[3], ev->ip.b[2], ev->ip.b[1], ev->ip.b[0]);
	} else {
		for (int i = 15; i >= 0; i--) {
			buf[o++] = hex[ev->ip.b[i] & 0xf];
			buf[o++] = '.';
			buf[o++] = hex[ev->ip.b[i] >> 4];
			buf[o++] = '.';
		}
		snprintf(buf + o, sizeof(buf) - o, "ip6.arpa");
	}
	return xstrdup(ev, buf);
}

static int
addr_type(const struct hy_spf_eval *ev)
{
	return ev->ip.family == 6 ? HY_SPF_T_AAAA : HY_SPF_T_A;
}

static bool
answer_empty(const struct hy_spf_eval *ev)
{
	return ev->astatus != HY_SPF_DNS_ANSWER || ev->narrs == 0;
}

static void
answer_clear(struct hy_spf_eval *ev)
{
	for (size_t i = 0; i < ev->narrs; i++)
		free((char *)ev->arrs[i].data);
	free(ev->arrs);
	ev->arrs = NULL;
	ev->narrs = 0;
	ev->have_answer = false;
}

/* Does any address in the answer fall in ip/plen? */
static bool
answer_has_ip(const struct hy_spf_eval *ev, unsigned plen)
{
	if (ev->mode == HY_SPF_ANALYZE || ev->astatus != HY_SPF_DNS_ANSWER)
		return false;
	for (size_t i = 0; i < ev->narrs; i++)
		if (ip_in(&ev->ip, ev->arrs[i].addr, plen))
			return true;
	return false;
}

/* Copy the answer's names (MX/PTR targets); at most max are kept. */
static char **
answer_names(struct hy_spf_eval *ev, size_t max, size_t *n)
{
	char **v;
	size_t k = 0;

	*n = 0;
	if (ev->astatus != HY_SPF_DNS_ANSWER || ev->narrs == 0)
		return NULL;
	if ((v = calloc(ev->narrs, sizeof(*v))) == NULL) {
		ev->oom = true;
		return NULL;
	}
	for (size_t i = 0; i < ev->narrs && k < max; i++)
		if ((v[k] = strdup(ev->arrs[i].data)) != NULL)
			k++;
		else
			ev->oom = true;
	*n = k;
	return v;
}

/* ---- Frames ---------------------------------------------------------- */

static struct frame *
top(struct hy_spf_eval *ev)
{
	return &ev->stack[ev->depth - 1];
}

static void
frame_clear_term(struct frame *f)
{
	free(f->target);
	f->target = NULL;
	strv_free(f->names, f->nnames);
	f->names = NULL;
	f->nnames = f->ni = 0;
	f->aaaa = false;
	f->counted = false;
}

static void
frame_free(struct frame *f)
{
	frame_clear_term(f);
	free(f->domain);
	hy_spf_record_free(f->rec);
}

static int
push(struct hy_spf_eval *ev, const char *domain, const char *via)
{
	struct frame *f, *ns;
	struct hy_spf_node *parent = ev->depth ? top(ev)->node : NULL;

	if (ev->depth == ev->cap) {
		size_t ncap = ev->cap ? ev->cap * 2 : 4;

		if ((ns = reallocarray(ev->stack, ncap, sizeof(*ns))) == NULL)
			goto oom;
		ev->stack = ns;
		ev->cap = ncap;
	}
	f = &ev->stack[ev->depth];
	memset(f, 0, sizeof(*f));
	f->via = via;
	f->st = FS_START;
	if ((f->domain = strdup(domain)) == NULL)
		goto oom;
	if ((f->node = node_new(ev, parent, via, domain)) == NULL) {
		free(f->domain);
		goto oom;
	}
	if (parent == NULL)
		ev->root = f->node;
	ev->depth++;
	return 0;
oom:
	ev->oom = true;
	return -1;
}

/* Ask a question; the caller returns HY_SPF_STEP_DNS. */
static enum hy_spf_step
ask(struct hy_spf_eval *ev, struct frame *f, enum fstate st, const char *name,
    int type)
{
	char *q = strdup(name);

	if (q == NULL)
		return HY_SPF_STEP_NOMEM;
	free(ev->qname);
	ev->qname = q;
	ev->qtype = type;
	ev->asked = true;
	f->st = st;
	ev->queries++;
	return HY_SPF_STEP_DNS;
}

/* Is frame idx part of the checked domain's own chain (only redirects
 * between it and the bottom)? Its exp= and `all` then count. */
static bool
top_chain(const struct hy_spf_eval *ev, size_t idx)
{
	for (size_t i = 1; i <= idx; i++)
		if (strcmp(ev->stack[i].via, "redirect") != 0)
			return false;
	return true;
}

static void finish_frame(struct hy_spf_eval *, enum hy_spf_result);

/* ---- Limits ---------------------------------------------------------- */

/*
 * Count a DNS-querying term (§4.6.4). Returns false when evaluation must
 * stop: over the limit when evaluating, or at the counting cap.
 */
static bool
count_lookup(struct hy_spf_eval *ev, struct frame *f)
{
	const char *term = f->rec->terms[f->ti].text;

	if (f->counted)
		return true;
	f->counted = true;
	ev->lookups++;
	if (ev->lookups <= HY_SPF_MAX_LOOKUPS)
		return true;
	if (!ev->over_lookups) {
		ev->over_lookups = true;
		finding(ev, "too-many-lookups", HY_SEV_ERROR,
		    "more than %d DNS-querying terms (reached at \"%s\" in %s); "
		    "receivers return permerror (RFC 7208 §4.6.4)",
		    HY_SPF_MAX_LOOKUPS, term, f->domain);
	}
	if (ev->mode == HY_SPF_ANALYZE && ev->lookups < HY_SPF_COUNT_CAP)
		return true;
	set_reason(ev, "more than %d DNS-querying terms at \"%s\" in %s "
	    "(RFC 7208 §4.6.4)", HY_SPF_MAX_LOOKUPS, term, f->domain);
	finish_frame(ev, HY_SPF_PERMERROR);
	return false;
}

/* Count a void lookup; false when evaluation must stop. */
static bool
count_void(struct hy_spf_eval *ev, struct frame *f)
{
	const char *what = f->target ? f->target : f->domain;

	ev->voids++;
	if (ev->voids <= HY_SPF_MAX_VOID)
		return true;
	if (!ev->over_voids) {
		ev->over_voids = true;
		finding(ev, "too-many-void-lookups", HY_SEV_ERROR,
		    "more than %d DNS lookups returned no answer (at %s); "
		    "receivers return permerror (RFC 7208 §4.6.4)",
		    HY_SPF_MAX_VOID, what);
	}
	if (ev->mode == HY_SPF_ANALYZE)
		return true;
	set_reason(ev, "more than %d void lookups, the last for %s "
	    "(RFC 7208 §4.6.4)", HY_SPF_MAX_VOID, what);
	finish_frame(ev, HY_SPF_PERMERROR);
	return false;
}

const char *
hy_spf_type_str(int type)
{
	switch (type) {
	case HY_SPF_T_A: return "A";
	case HY_SPF_T_AAAA: return "AAAA";
	case HY_SPF_T_MX: return "MX";
	case HY_SPF_T_PTR: return "PTR";
	case HY_SPF_T_TXT: return "TXT";
	}
	return "?";
}

/*
 * A temporary DNS error ends the evaluation with temperror (§4.4, §5):
 * the policy could not be measured, which is not the same as absent.
 */
static void
temperror(struct hy_spf_eval *ev, const char *name, int type)
{
	finding(ev, "dns-temporary-error", HY_SEV_WARNING, "the %s lookup "
	    "of %s failed (timeout, SERVFAIL or similar), so the policy "
	    "could not be measured: temperror, not none (RFC 7208 §4.4, §5)",
	    hy_spf_type_str(type), name);
	set_reason(ev, "the %s lookup of %s failed temporarily "
	    "(RFC 7208 §4.4, §5)", hy_spf_type_str(type), name);
	finish_frame(ev, HY_SPF_TEMPERROR);
}

/* ---- Results --------------------------------------------------------- */

static enum hy_spf_result
qualifier_result(char q)
{
	switch (q) {
	case '-': return HY_SPF_FAIL;
	case '~': return HY_SPF_SOFTFAIL;
	case '?': return HY_SPF_NEUTRAL;
	}
	return HY_SPF_PASS;
}

static const char *
all_str(char q)
{
	switch (q) {
	case '-': return all_text[1];
	case '~': return all_text[2];
	case '?': return all_text[3];
	}
	return all_text[0];
}

/* The term at ti matched: its qualifier decides the frame's result. */
static void
matched(struct hy_spf_eval *ev, struct frame *f)
{
	const struct hy_spf_term *t = &f->rec->terms[f->ti];

	set_reason(ev, "matched \"%s\" in the record of %s", t->text,
	    f->domain);
	finish_frame(ev, qualifier_result(t->qualifier));
}

static void
next_term(struct frame *f)
{
	frame_clear_term(f);
	f->ti++;
	f->st = FS_TERMS;
}

/* A child (include or redirect) finished with r; f is its parent. */
static void
child_done(struct hy_spf_eval *ev, struct frame *f, enum hy_spf_result r)
{
	bool redirect = f->child_redirect;

	f->child_redirect = false;
	if (redirect) {
		/* §6.1: no record at the redirect target is a permerror. */
		if (r == HY_SPF_NONE) {
			free(ev->reason);
			ev->reason = NULL;
			set_reason(ev, "redirect target %s has no SPF record "
			    "(RFC 7208 §6.1)", f->target);
			r = HY_SPF_PERMERROR;
		}
		finish_frame(ev, r);
		return;
	}
	switch (r) {
	case HY_SPF_PASS:
		if (ev->mode == HY_SPF_EVALUATE) {
			ev->reason = (free(ev->reason), NULL);
			matched(ev, f);
			return;
		}
		break;
	case HY_SPF_FAIL:
	case HY_SPF_SOFTFAIL:
	case HY_SPF_NEUTRAL:
		break;
	case HY_SPF_TEMPERROR:
		finish_frame(ev, r);
		return;
	case HY_SPF_NONE:
		free(ev->reason);
		ev->reason = NULL;
		set_reason(ev, "include target %s has no SPF record "
		    "(RFC 7208 §5.2)", f->target);
		/* FALLTHROUGH */
	case HY_SPF_PERMERROR:
		finish_frame(ev, HY_SPF_PERMERROR);
		return;
	}
	/* The include's own reason does not explain the parent's result. */
	free(ev->reason);
	ev->reason = NULL;
	next_term(f);
}

/*
 * Analysis goes on past the limits to count them; receivers would have
 * stopped with permerror at the first one exceeded. A policy that ends
 * without `all` is worth a finding.
 */
static enum hy_spf_result
analysis_verdict(struct hy_spf_eval *ev, enum hy_spf_result r)
{
	if (ev->over_lookups || ev->over_voids || ev->over_mx) {
		free(ev->reason);
		ev->reason = NULL;
		set_reason(ev, "the policy exceeds the processing limits, so "
		    "receivers return permerror (RFC 7208 §4.6.4)");
		return HY_SPF_PERMERROR;
	}
	if (ev->all == NULL && (r == HY_SPF_NEUTRAL || r == HY_SPF_PASS ||
	    r == HY_SPF_FAIL || r == HY_SPF_SOFTFAIL))
		finding(ev, "no-all", HY_SEV_WARNING, "the policy of %s ends "
		    "without an `all` mechanism, also through redirect, so "
		    "unmatched hosts get the default neutral result "
		    "(RFC 7208 §4.7, §5.1)", ev->domain);
	return r;
}

/*
 * The top frame has result r: record it, pop, and hand the result to the
 * parent. At the bottom, a fail first fetches the explanation.
 */
static void
finish_frame(struct hy_spf_eval *ev, enum hy_spf_result r)
{
	struct frame *f = top(ev);

	f->node->status = r;
	/* The innermost record of the domain's own chain supplies exp=
	 * (§6.2: not an included one; after a redirect, the new one). */
	if (!ev->exp_saved && top_chain(ev, ev->depth - 1)) {
		ev->exp_saved = true;
		ev->exp_domain = xstrdup(ev, f->domain);
		if (f->rec != NULL && f->rec->exp >= 0)
			ev->exp_spec = xstrdup(ev,
			    f->rec->terms[f->rec->exp].spec);
	}
	if (ev->depth == 1) {
		if (ev->mode == HY_SPF_ANALYZE)
			r = analysis_verdict(ev, r);
		ev->result = r;
		ev->done = true;
		return;
	}
	frame_free(f);
	ev->depth--;
	child_done(ev, top(ev), r);
}

/* ---- Macros ---------------------------------------------------------- */

static void
macro_ctx(struct hy_spf_eval *ev, const char *domain,
    struct hy_spf_macro_ctx *x)
{
	memset(x, 0, sizeof(*x));
	x->sender = ev->sender;
	x->local = ev->local;
	x->sender_domain = ev->sender_domain;
	x->domain = domain;
	x->ip = ev->mode == HY_SPF_EVALUATE ? &ev->ip : NULL;
	x->validated = ev->pchosen;
	x->helo = ev->helo;
	x->receiver = ev->receiver;
	x->now = ev->now;
}

/* %{p} (§7.3): the target domain if validated, else a subdomain of it,
 * else any validated name, else "unknown". */
static void
choose_validated(struct hy_spf_eval *ev, const char *domain)
{
	const char *pick = NULL;

	free(ev->pchosen);
	ev->pchosen = NULL;
	for (size_t i = 0; i < ev->npvalid && pick == NULL; i++)
		if (hy_name_equal(ev->pvalid[i], domain))
			pick = ev->pvalid[i];
	for (size_t i = 0; i < ev->npvalid && pick == NULL; i++)
		if (name_under(ev->pvalid[i], domain))
			pick = ev->pvalid[i];
	if (pick == NULL && ev->npvalid > 0)
		pick = ev->pvalid[0];
	if (pick != NULL) {
		size_t l = strlen(pick);

		if ((ev->pchosen = strdup(pick)) == NULL)
			ev->oom = true;
		else if (l > 1 && ev->pchosen[l - 1] == '.')
			ev->pchosen[l - 1] = '\0';
	}
}

/*
 * Expand spec (or the frame's domain when NULL) into f->target. Returns
 * 1 when done, 0 when a %{p} lookup must run first (state set), and -1
 * when the evaluation ended (permerror) or the term is to be skipped
 * (analysis without a client IP: *skip set).
 */
static int
expand_target(struct hy_spf_eval *ev, struct frame *f, const char *spec,
    bool *skip)
{
	struct hy_spf_macro_ctx x;
	int r;

	*skip = false;
	if (spec == NULL) {
		f->target = xstrdup(ev, f->domain);
		return 1;
	}
	if (ev->mode == HY_SPF_EVALUATE && ev->pm != PM_DONE &&
	    hy_spf_macro_uses(spec, "p")) {
		ev->pm = PM_RUNNING;
		return 0;
	}
	if (ev->pm == PM_DONE)
		choose_validated(ev, f->domain);
	macro_ctx(ev, f->domain, &x);
	r = hy_spf_macro_expand(&x, spec, false, &f->target);
	if (r == -2)
		ev->oom = true;
	if (r == 0)
		return 1;
	if (r == -1 && ev->mode == HY_SPF_ANALYZE) {
		*skip = true;
		return -1;
	}
	set_reason(ev, "cannot expand \"%s\" in %s (RFC 7208 §7)", spec,
	    f->domain);
	finish_frame(ev, HY_SPF_PERMERROR);
	return -1;
}

/* ---- The transition function ----------------------------------------- */

static void
select_record(struct hy_spf_eval *ev, struct frame *f)
{
	struct hy_spf_perr perr;
	const struct hy_spf_rr *rr = NULL;
	size_t n = 0;
	int r;

	for (size_t i = 0; i < ev->narrs; i++)
		if (hy_spf_is_record(ev->arrs[i].data, ev->arrs[i].len)) {
			rr = &ev->arrs[i];
			n++;
		}
	if (n == 0) {
		set_reason(ev, "no SPF record at %s (RFC 7208 §4.5)",
		    f->domain);
		finish_frame(ev, HY_SPF_NONE);
		return;
	}
	if (n > 1) {
		char *list = NULL;
		size_t len = 0, k = 0;
		FILE *mf = open_memstream(&list, &len);

		/* Name them all: the operator has to pick one. */
		for (size_t i = 0; mf != NULL && i < ev->narrs; i++)
			if (hy_spf_is_record(ev->arrs[i].data, ev->arrs[i].len))
				fprintf(mf, "%s\"%.*s\"", k++ ? ", " : "",
				    (int)ev->arrs[i].len, ev->arrs[i].data);
		if (mf == NULL || fclose(mf) != 0)
			ev->oom = true;
		finding(ev, "multiple-records", HY_SEV_ERROR, "%s publishes "
		    "%zu SPF records (%s); receivers return permerror "
		    "(RFC 7208 §4.5, §3.2)", f->domain, n, list ? list : "");
		free(list);
		set_reason(ev, "%zu SPF records at %s (RFC 7208 §4.5)", n,
		    f->domain);
		finish_frame(ev, HY_SPF_PERMERROR);
		return;
	}
	/* Shown as it is: every byte, a NUL too (strndup would stop there
	 * and show a record other than the one evaluated). */
	if ((f->node->record = hy_txt_printable(rr->data, rr->len)) == NULL) {
		ev->oom = true;
		return;
	}
	if (ev->depth == 1 && (ev->record = strdup(f->node->record)) == NULL)
		ev->oom = true;
	r = hy_spf_parse(rr->data, rr->len, &f->rec, &perr);
	if (r == -2) {
		ev->oom = true;
		return;
	}
	if (r == -1) {
		finding(ev, "syntax-error", HY_SEV_ERROR, "record of %s, "
		    "offset %zu: %s", f->domain, perr.pos, perr.msg);
		set_reason(ev, "syntax error in the record of %s: %s",
		    f->domain, perr.msg);
		finish_frame(ev, HY_SPF_PERMERROR);
		return;
	}
	f->st = FS_TERMS;
}

static void
on_fetch(struct hy_spf_eval *ev, struct frame *f)
{
	switch (ev->astatus) {
	case HY_SPF_DNS_TEMPFAIL:
		temperror(ev, f->domain, HY_SPF_T_TXT);
		return;
	case HY_SPF_DNS_NXDOMAIN:
	case HY_SPF_DNS_NODATA:
		/* An include/redirect target that does not resolve is a void
		 * lookup of that term (§4.6.4). */
		if (ev->depth > 1 && !count_void(ev, f))
			return;
		set_reason(ev, "%s: %s, so no SPF record (RFC 7208 §4.3, §4.5)",
		    f->domain, ev->astatus == HY_SPF_DNS_NXDOMAIN ?
		    "name does not exist" : "no TXT records");
		finish_frame(ev, HY_SPF_NONE);
		return;
	case HY_SPF_DNS_ANSWER:
		select_record(ev, f);
		return;
	}
}

static bool
in_stack(const struct hy_spf_eval *ev, const char *domain)
{
	for (size_t i = 0; i < ev->depth; i++)
		if (hy_name_equal(ev->stack[i].domain, domain))
			return true;
	return false;
}

/* Start an include or redirect of f->target. */
static void
start_child(struct hy_spf_eval *ev, struct frame *f, bool redirect)
{
	const char *via = redirect ? "redirect" : "include";

	if (in_stack(ev, f->target)) {
		finding(ev, "include-loop", HY_SEV_ERROR, "%s:%s in %s leads "
		    "back to a record already being evaluated; receivers end "
		    "with permerror at the lookup limit (RFC 7208 §4.6.4, "
		    "§5.2)", via, f->target, f->domain);
		set_reason(ev, "%s loop at %s (RFC 7208 §4.6.4)", via,
		    f->target);
		finish_frame(ev, HY_SPF_PERMERROR);
		return;
	}
	f->child_redirect = redirect;
	f->st = FS_CHILD;
	push(ev, f->target, via);
}

/* End of the terms: redirect=, or the default neutral (§4.7). */
static enum hy_spf_step
end_of_record(struct hy_spf_eval *ev, struct frame *f)
{
	bool skip;
	int r;

	if (f->rec->redirect < 0 || f->rec->has_all) {
		set_reason(ev, "no mechanism matched in the record of %s; the "
		    "default result is neutral (RFC 7208 §4.7)", f->domain);
		finish_frame(ev, HY_SPF_NEUTRAL);
		return HY_SPF_STEP_DONE;
	}
	f->ti = (size_t)f->rec->redirect;
	if (!count_lookup(ev, f))
		return HY_SPF_STEP_DONE;
	r = expand_target(ev, f, f->rec->terms[f->ti].spec, &skip);
	if (r == 0)
		return HY_SPF_STEP_DONE;	/* %{p} first; re-entered */
	if (r < 0) {
		if (skip)
			finish_frame(ev, HY_SPF_NEUTRAL);
		return HY_SPF_STEP_DONE;
	}
	start_child(ev, f, true);
	return HY_SPF_STEP_DONE;
}

static bool
term_queries(enum hy_spf_mech m)
{
	return m == HY_SPF_INCLUDE || m == HY_SPF_A || m == HY_SPF_MX ||
	    m == HY_SPF_PTR || m == HY_SPF_EXISTS;
}

/* FS_TERMS: evaluate term ti. Returns STEP_DNS with a question asked,
 * or STEP_DONE meaning "continue the loop". */
static enum hy_spf_step
on_term(struct hy_spf_eval *ev, struct frame *f)
{
	const struct hy_spf_term *t;
	bool skip;
	int r;

	if (f->ti >= f->rec->nterms ||
	    (f->rec->redirect >= 0 && f->ti == (size_t)f->rec->redirect &&
	    f->counted))
		return end_of_record(ev, f);
	t = &f->rec->terms[f->ti];
	if (t->kind != HY_SPF_DIRECTIVE) {
		next_term(f);
		return HY_SPF_STEP_DONE;
	}
	if (t->mech == HY_SPF_PTR && !f->counted)
		finding(ev, "ptr-mechanism", HY_SEV_WARNING, "\"%s\" in %s: "
		    "the ptr mechanism is slow and unreliable and SHOULD NOT "
		    "be used (RFC 7208 §5.5)", t->text, f->domain);
	if (term_queries(t->mech) && !count_lookup(ev, f))
		return HY_SPF_STEP_DONE;
	switch (t->mech) {
	case HY_SPF_ALL:
		if (top_chain(ev, ev->depth - 1))
			ev->all = all_str(t->qualifier);
		if (t->qualifier == '+')
			finding(ev, "plus-all", HY_SEV_ERROR, "\"%s\" in %s "
			    "authorizes every host on the Internet "
			    "(RFC 7208 §5.1)", t->text, f->domain);
		matched(ev, f);
		return HY_SPF_STEP_DONE;
	case HY_SPF_IP4:
	case HY_SPF_IP6:
		if (ev->mode == HY_SPF_EVALUATE &&
		    ev->ip.family == (t->mech == HY_SPF_IP4 ? 4 : 6) &&
		    ip_in(&ev->ip, t->addr, t->mech == HY_SPF_IP4 ? t->cidr4 :
		    t->cidr6)) {
			matched(ev, f);
			return HY_SPF_STEP_DONE;
		}
		next_term(f);
		return HY_SPF_STEP_DONE;
	default:
		break;
	}
	if (f->target == NULL) {
		r = expand_target(ev, f, t->spec, &skip);
		if (r == 0)
			return HY_SPF_STEP_DONE;
		if (r < 0) {
			if (skip)
				next_term(f);
			return HY_SPF_STEP_DONE;
		}
		if (ev->oom)
			return HY_SPF_STEP_NOMEM;
	}
	switch (t->mech) {
	case HY_SPF_INCLUDE:
		start_child(ev, f, false);
		return HY_SPF_STEP_DONE;
	case HY_SPF_A:
		return ask(ev, f, FS_A, f->target, ev->mode == HY_SPF_ANALYZE ?
		    HY_SPF_T_A : addr_type(ev));
	case HY_SPF_MX:
		return ask(ev, f, FS_MX, f->target, HY_SPF_T_MX);
	case HY_SPF_EXISTS:
		return ask(ev, f, FS_EXISTS, f->target, HY_SPF_T_A);
	case HY_SPF_PTR:
		if (ev->mode == HY_SPF_ANALYZE) {
			next_term(f);
			return HY_SPF_STEP_DONE;
		}
		free(f->names);
		f->names = NULL;
		{
			char *rev = reverse_name(ev);
			enum hy_spf_step s;

			if (rev == NULL)
				return HY_SPF_STEP_NOMEM;
			s = ask(ev, f, FS_PTR, rev, HY_SPF_T_PTR);
			free(rev);
			return s;
		}
	default:
		break;
	}
	return HY_SPF_STEP_DONE;
}

/* A/AAAA answer for the a mechanism. */
static enum hy_spf_step
on_a(struct hy_spf_eval *ev, struct frame *f)
{
	const struct hy_spf_term *t = &f->rec->terms[f->ti];

	if (ev->astatus == HY_SPF_DNS_TEMPFAIL) {
		temperror(ev, f->target, ev->qtype);
		return HY_SPF_STEP_DONE;
	}
	if (answer_empty(ev)) {
		/* Analysis has no client family: try AAAA before calling the
		 * name void. */
		if (ev->mode == HY_SPF_ANALYZE && !f->aaaa &&
		    ev->astatus == HY_SPF_DNS_NODATA) {
			f->aaaa = true;
			return ask(ev, f, FS_A, f->target, HY_SPF_T_AAAA);
		}
		if (!count_void(ev, f))
			return HY_SPF_STEP_DONE;
	} else if (answer_has_ip(ev, ev->ip.family == 4 ? t->cidr4 :
	    t->cidr6)) {
		matched(ev, f);
		return HY_SPF_STEP_DONE;
	}
	next_term(f);
	return HY_SPF_STEP_DONE;
}

static enum hy_spf_step
on_exists(struct hy_spf_eval *ev, struct frame *f)
{
	if (ev->astatus == HY_SPF_DNS_TEMPFAIL) {
		temperror(ev, f->target, HY_SPF_T_A);
		return HY_SPF_STEP_DONE;
	}
	if (answer_empty(ev)) {
		if (count_void(ev, f))
			next_term(f);
		return HY_SPF_STEP_DONE;
	}
	if (ev->mode == HY_SPF_EVALUATE)
		matched(ev, f);
	else
		next_term(f);
	return HY_SPF_STEP_DONE;
}

/* Ask for the address of the next name in f->names, or give up. */
static enum hy_spf_step
next_name(struct hy_spf_eval *ev, struct frame *f, enum fstate st)
{
	while (f->ni < f->nnames) {
		const char *n = f->names[f->ni];

		/* ptr only considers names at or under the target (§5.5);
		 * a null MX (RFC 7505, ".") has no addresses to ask for. */
		if ((st == FS_PTR_ADDR && !name_under(n, f->target)) ||
		    strcmp(n, ".") == 0) {
			f->ni++;
			continue;
		}
		return ask(ev, f, st, n, addr_type(ev));
	}
	next_term(f);
	return HY_SPF_STEP_DONE;
}

static enum hy_spf_step
on_mx(struct hy_spf_eval *ev, struct frame *f)
{
	const struct hy_spf_term *t = &f->rec->terms[f->ti];

	if (ev->astatus == HY_SPF_DNS_TEMPFAIL) {
		temperror(ev, f->target, HY_SPF_T_MX);
		return HY_SPF_STEP_DONE;
	}
	if (answer_empty(ev)) {
		if (count_void(ev, f))
			next_term(f);
		return HY_SPF_STEP_DONE;
	}
	if (ev->narrs > HY_SPF_MAX_NAMES) {
		ev->over_mx = true;
		finding(ev, "too-many-mx", HY_SEV_ERROR, "\"%s\" in %s: %s has "
		    "%zu MX records, more than %d; receivers return permerror "
		    "(RFC 7208 §4.6.4)", t->text, f->domain, f->target,
		    ev->narrs, HY_SPF_MAX_NAMES);
		if (ev->mode == HY_SPF_EVALUATE) {
			set_reason(ev, "%s has more than %d MX records "
			    "(RFC 7208 §4.6.4)", f->target, HY_SPF_MAX_NAMES);
			finish_frame(ev, HY_SPF_PERMERROR);
			return HY_SPF_STEP_DONE;
		}
	}
	if (ev->mode == HY_SPF_ANALYZE) {
		next_term(f);
		return HY_SPF_STEP_DONE;
	}
	f->names = answer_names(ev, HY_SPF_MAX_NAMES, &f->nnames);
	f->ni = 0;
	return next_name(ev, f, FS_MX_ADDR);
}

static enum hy_spf_step
on_mx_addr(struct hy_spf_eval *ev, struct frame *f)
{
	const struct hy_spf_term *t = &f->rec->terms[f->ti];

	if (ev->astatus == HY_SPF_DNS_TEMPFAIL) {
		temperror(ev, f->names[f->ni], ev->qtype);
		return HY_SPF_STEP_DONE;
	}
	if (answer_has_ip(ev, ev->ip.family == 4 ? t->cidr4 : t->cidr6)) {
		matched(ev, f);
		return HY_SPF_STEP_DONE;
	}
	f->ni++;
	return next_name(ev, f, FS_MX_ADDR);
}

static enum hy_spf_step
on_ptr(struct hy_spf_eval *ev, struct frame *f)
{
	/* §5.5: a DNS error on the PTR lookup means no match. */
	if (ev->astatus == HY_SPF_DNS_TEMPFAIL) {
		next_term(f);
		return HY_SPF_STEP_DONE;
	}
	if (answer_empty(ev)) {
		if (count_void(ev, f))
			next_term(f);
		return HY_SPF_STEP_DONE;
	}
	f->names = answer_names(ev, HY_SPF_MAX_NAMES, &f->nnames);
	f->ni = 0;
	return next_name(ev, f, FS_PTR_ADDR);
}

static enum hy_spf_step
on_ptr_addr(struct hy_spf_eval *ev, struct frame *f)
{
	/* Errors on these lookups just skip the name (§5.5). */
	if (answer_has_ip(ev, ev->ip.family == 4 ? 32 : 128)) {
		matched(ev, f);
		return HY_SPF_STEP_DONE;
	}
	f->ni++;
	return next_name(ev, f, FS_PTR_ADDR);
}

/* %{p}: collect the PTR names, then validate them one by one. The term
 * that needed the macro is re-entered in FS_TERMS afterwards. */
static enum hy_spf_step
pm_next(struct hy_spf_eval *ev, struct frame *f)
{
	if (ev->pni < ev->npnames)
		return ask(ev, f, FS_PM_ADDR, ev->pnames[ev->pni],
		    addr_type(ev));
	ev->pm = PM_DONE;
	f->st = FS_TERMS;
	return HY_SPF_STEP_DONE;
}

static enum hy_spf_step
on_pm_ptr(struct hy_spf_eval *ev, struct frame *f)
{
	ev->pnames = answer_names(ev, HY_SPF_MAX_NAMES, &ev->npnames);
	ev->pni = 0;
	if ((ev->pvalid = calloc(ev->npnames + 1, sizeof(char *))) == NULL)
		return HY_SPF_STEP_NOMEM;
	return pm_next(ev, f);
}

static enum hy_spf_step
on_pm_addr(struct hy_spf_eval *ev, struct frame *f)
{
	if (answer_has_ip(ev, ev->ip.family == 4 ? 32 : 128))
		ev->pvalid[ev->npvalid++] = ev->pnames[ev->pni];
	else
		free(ev->pnames[ev->pni]);
	ev->pnames[ev->pni++] = NULL;
	return pm_next(ev, f);
}

/* The explanation (§6.2): exp= of the final record, else the default. */
static enum hy_spf_step
start_exp(struct hy_spf_eval *ev, struct frame *f)
{
	struct hy_spf_macro_ctx x;
	char *name = NULL;
	enum hy_spf_step s;

	if (ev->exp_spec == NULL)
		return HY_SPF_STEP_DONE;
	/* A %{p} here is not worth more lookups: "unknown" is allowed. */
	macro_ctx(ev, ev->exp_domain, &x);
	if (hy_spf_macro_expand(&x, ev->exp_spec, false, &name) != 0)
		return HY_SPF_STEP_DONE;
	s = ask(ev, f, FS_EXP, name, HY_SPF_T_TXT);
	free(name);
	return s;
}

static void
expand_exp(struct hy_spf_eval *ev)
{
	struct hy_spf_macro_ctx x;
	char *text = NULL;

	if (ev->pm == PM_DONE)
		choose_validated(ev, ev->exp_domain);
	macro_ctx(ev, ev->exp_domain, &x);
	if (hy_spf_macro_expand(&x, ev->exp_text, true, &text) == 0) {
		free(ev->explanation);
		ev->explanation = text;
	}
	free(ev->exp_text);
	ev->exp_text = NULL;
}

/* The explanation TXT arrived: exactly one string is used (§6.2). A
 * %{p} in it needs the validated names first. */
static enum hy_spf_step
on_exp(struct hy_spf_eval *ev, struct frame *f)
{
	char *rev;
	enum hy_spf_step s;

	f->st = FS_TERMS;
	if (ev->astatus != HY_SPF_DNS_ANSWER || ev->narrs != 1)
		return HY_SPF_STEP_DONE;
	ev->exp_text = strndup(ev->arrs[0].data, ev->arrs[0].len);
	if (ev->exp_text == NULL)
		return HY_SPF_STEP_NOMEM;
	if (ev->pm == PM_DONE || !hy_spf_macro_uses(ev->exp_text, "p")) {
		expand_exp(ev);
		return HY_SPF_STEP_DONE;
	}
	ev->pm = PM_RUNNING;
	if ((rev = reverse_name(ev)) == NULL)
		return HY_SPF_STEP_NOMEM;
	s = ask(ev, f, FS_PM_PTR, rev, HY_SPF_T_PTR);
	free(rev);
	return s;
}

static enum hy_spf_step
dispatch(struct hy_spf_eval *ev, struct frame *f)
{
	switch (f->st) {
	case FS_START:
		return ask(ev, f, FS_FETCH, f->domain, HY_SPF_T_TXT);
	case FS_FETCH:
		on_fetch(ev, f);
		return HY_SPF_STEP_DONE;
	case FS_TERMS:
		if (ev->pm == PM_RUNNING) {
			char *rev = reverse_name(ev);
			enum hy_spf_step s;

			if (rev == NULL)
				return HY_SPF_STEP_NOMEM;
			s = ask(ev, f, FS_PM_PTR, rev, HY_SPF_T_PTR);
			free(rev);
			return s;
		}
		return on_term(ev, f);
	case FS_A:	return on_a(ev, f);
	case FS_MX:	return on_mx(ev, f);
	case FS_MX_ADDR: return on_mx_addr(ev, f);
	case FS_PTR:	return on_ptr(ev, f);
	case FS_PTR_ADDR: return on_ptr_addr(ev, f);
	case FS_EXISTS:	return on_exists(ev, f);
	case FS_PM_PTR:	return on_pm_ptr(ev, f);
	case FS_PM_ADDR: return on_pm_addr(ev, f);
	case FS_CHILD:
	case FS_EXP:
		/* Never on top while evaluating: a child frame is always
		 * above FS_CHILD, and FS_EXP only follows the result. */
		break;
	}
	abort();
}

/*
 * The transition function. Each round hands the pending answer (if any)
 * to the top frame's state; the handler may ask a new question, push or
 * pop frames, or finish the evaluation.
 */
/* After the result: a fail fetches its explanation, then we are done. */
static enum hy_spf_step
on_done(struct hy_spf_eval *ev, struct frame *f)
{
	if (f->st == FS_EXP)
		return on_exp(ev, f);
	if (f->st == FS_PM_PTR || f->st == FS_PM_ADDR)
		return dispatch(ev, f);
	if (ev->exp_text != NULL) {
		expand_exp(ev);
		return HY_SPF_STEP_DONE;
	}
	if (ev->result != HY_SPF_FAIL || ev->mode != HY_SPF_EVALUATE ||
	    ev->exp_started)
		return HY_SPF_STEP_DONE;
	ev->exp_started = true;
	if ((ev->explanation = strdup(ev->default_exp)) == NULL)
		return HY_SPF_STEP_NOMEM;
	return start_exp(ev, f);
}

enum hy_spf_step
hy_spf_step(struct hy_spf_eval *ev)
{
	enum hy_spf_step s;
	struct frame *f;
	bool was_done;

	while (!ev->oom) {
		if (ev->asked)
			return HY_SPF_STEP_DNS;
		f = top(ev);
		was_done = ev->done;
		s = was_done ? on_done(ev, f) : dispatch(ev, f);
		/* Whatever answer there was has been consumed. */
		answer_clear(ev);
		if (ev->oom || s == HY_SPF_STEP_NOMEM)
			return HY_SPF_STEP_NOMEM;
		if (s == HY_SPF_STEP_DNS)
			return s;
		if (was_done && !ev->asked && ev->exp_text == NULL &&
		    ev->pm != PM_RUNNING)
			return HY_SPF_STEP_DONE;
	}
	return HY_SPF_STEP_NOMEM;
}

void
hy_spf_query(const struct hy_spf_eval *ev, const char **name, int *type)
{
	*name = ev->qname;
	*type = ev->qtype;
}

int
hy_spf_answer(struct hy_spf_eval *ev, enum hy_spf_dns status,
    const struct hy_spf_rr *rrs, size_t nrrs)
{
	struct hy_spf_rr *v = NULL;
	char *d;

	answer_clear(ev);
	/* Only an answer carries records. */
	if (status != HY_SPF_DNS_ANSWER)
		nrrs = 0;
	if (nrrs > 0 && (v = calloc(nrrs, sizeof(*v))) == NULL)
		return -1;
	for (size_t i = 0; i < nrrs; i++) {
		if ((d = malloc(rrs[i].len + 1)) == NULL) {
			ev->arrs = v;
			ev->narrs = i;
			answer_clear(ev);
			return -1;
		}
		if (rrs[i].len > 0)
			memcpy(d, rrs[i].data, rrs[i].len);
		d[rrs[i].len] = '\0';
		v[i].data = d;
		v[i].len = rrs[i].len;
		memcpy(v[i].addr, rrs[i].addr, sizeof(v[i].addr));
	}
	ev->arrs = v;
	ev->narrs = nrrs;
	ev->astatus = status;
	ev->have_answer = true;
	ev->asked = false;
	return 0;
}

/* local-part and domain of the sender (§4.3: an empty local-part is
 * "postmaster"; an empty sender is postmaster@HELO). */
static int
split_sender(struct hy_spf_eval *ev, const struct hy_spf_params *p)
{
	const char *at;

	if (p->sender == NULL || p->sender[0] == '\0') {
		if (asprintf(&ev->sender, "postmaster@%s", p->helo ? p->helo :
		    "") < 0)
			return -1;
	} else if (strchr(p->sender, '@') == NULL) {
		if (asprintf(&ev->sender, "postmaster@%s", p->sender) < 0)
			return -1;
	} else if (p->sender[0] == '@') {
		if (asprintf(&ev->sender, "postmaster%s", p->sender) < 0)
			return -1;
	} else if ((ev->sender = strdup(p->sender)) == NULL)
		return -1;
	at = strrchr(ev->sender, '@');
	ev->local = strndup(ev->sender, (size_t)(at - ev->sender));
	ev->sender_domain = strdup(at + 1);
	return ev->local && ev->sender_domain ? 0 : -1;
}

/* §4.3: the last label must look like a top label, which rules out
 * domain literals and IP addresses. */
static bool
toplabel_ok(const char *d)
{
	size_t len = strlen(d), start;
	bool alpha = false;

	if (len > 0 && d[len - 1] == '.')
		len--;
	start = len;
	while (start > 0 && d[start - 1] != '.')
		start--;
	for (size_t i = start; i < len; i++) {
		if (!isalnum((unsigned char)d[i]) && d[i] != '-')
			return false;
		if (!isdigit((unsigned char)d[i]))
			alpha = true;
	}
	return alpha;
}

struct hy_spf_eval *
hy_spf_eval_new(const struct hy_spf_params *p)
{
	struct hy_spf_eval *ev;

	if ((ev = calloc(1, sizeof(*ev))) == NULL)
		return NULL;
	ev->mode = p->mode;
	ev->ip = p->ip;
	ev->now = p->now;
	ev->result = HY_SPF_NONE;
	if (split_sender(ev, p) != 0 ||
	    (ev->domain = strdup(p->domain)) == NULL ||
	    (ev->helo = strdup(p->helo ? p->helo : "")) == NULL ||
	    (ev->receiver = strdup(p->receiver ? p->receiver : "unknown")) ==
	    NULL || (ev->default_exp = strdup(p->default_exp ?
	    p->default_exp : SPF_DEFAULT_EXP)) == NULL ||
	    push(ev, p->domain, NULL) != 0)
		goto fail;
	if (!domain_valid(ev->domain) || !toplabel_ok(ev->domain)) {
		set_reason(ev, "\"%s\" is not a valid multi-label domain name "
		    "(RFC 7208 §4.3)", ev->domain);
		finish_frame(ev, HY_SPF_NONE);
	}
	if (ev->oom)
		goto fail;
	return ev;
fail:
	hy_spf_eval_free(ev);
	return NULL;
}

void
hy_spf_eval_free(struct hy_spf_eval *ev)
{
	if (ev == NULL)
		return;
	for (size_t i = 0; i < ev->depth; i++)
		frame_free(&ev->stack[i]);
	free(ev->stack);
	answer_clear(ev);
	free(ev->qname);
	strv_free(ev->pnames, ev->npnames);
	strv_free(ev->pvalid, ev->npvalid);
	free(ev->pchosen);
	free(ev->domain);
	free(ev->sender);
	free(ev->local);
	free(ev->sender_domain);
	free(ev->helo);
	free(ev->receiver);
	free(ev->default_exp);
	free(ev->explanation);
	free(ev->reason);
	free(ev->record);
	free(ev->exp_domain);
	free(ev->exp_spec);
	free(ev->exp_text);
	node_free(ev->root);
	hy_findings_clear(&ev->findings);
	free(ev);
}

enum hy_spf_result
hy_spf_eval_result(const struct hy_spf_eval *ev)
{
	return ev->result;
}

const char *
hy_spf_eval_explanation(const struct hy_spf_eval *ev)
{
	return ev->result == HY_SPF_FAIL ? ev->explanation : NULL;
}

const char *
hy_spf_eval_reason(const struct hy_spf_eval *ev)
{
	return ev->reason;
}

const char *
hy_spf_eval_record(const struct hy_spf_eval *ev)
{
	return ev->record;
}

unsigned
hy_spf_eval_lookups(const struct hy_spf_eval *ev)
{
	return ev->lookups;
}

unsigned
hy_spf_eval_void(const struct hy_spf_eval *ev)
{
	return ev->voids;
}

unsigned
hy_spf_eval_queries(const struct hy_spf_eval *ev)
{
	return ev->queries;
}

const char *
hy_spf_eval_all(const struct hy_spf_eval *ev)
{
	return ev->all;
}

const struct hy_findings *
hy_spf_eval_findings(const struct hy_spf_eval *ev)
{
	return &ev->findings;
}

const struct hy_spf_node *
hy_spf_eval_tree(const struct hy_spf_eval *ev)
{
	return ev->root;
}
