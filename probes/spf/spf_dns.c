/*
 * Drives the SPF state machine from the async DNS engine: each question
 * the evaluator asks becomes one hy_dns_query() on the check's group, and
 * each answer is translated into the evaluator's terms. Only ANSWER,
 * NODATA and NXDOMAIN are measurements; every other outcome (timeout,
 * SERVFAIL, REFUSED, malformed) is a temporary error, so "could not
 * measure" never turns into "no record".
 */
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "hygiene/dns.h"
#include "hygiene/loop.h"
#include "hygiene/spf.h"

struct spf_job {
	struct hy_loop		*loop;
	struct hy_dns_group	*group;
	struct hy_spf_eval	*ev;
	hy_spf_done_fn		 done;
	void			*arg;
	struct hy_timer		 timer;	/* completion outside hy_spf_run() */
	bool			 nomem;
};

static void job_advance(struct spf_job *);

/* TXT RDATA: the character-strings concatenated (RFC 7208 §3.3). */
static char *
txt_data(const ldns_rr *rr, size_t *len)
{
	size_t total = 0, o = 0;
	char *d;

	for (size_t i = 0; i < ldns_rr_rd_count(rr); i++) {
		const ldns_rdf *f = ldns_rr_rdf(rr, i);

		if (ldns_rdf_size(f) > 0)
			total += ldns_rdf_size(f) - 1;
	}
	if ((d = malloc(total + 1)) == NULL)
		return NULL;
	for (size_t i = 0; i < ldns_rr_rd_count(rr); i++) {
		const ldns_rdf *f = ldns_rr_rdf(rr, i);
		const uint8_t *p = ldns_rdf_data(f);
		size_t n = ldns_rdf_size(f) > 0 ? p[0] : 0;

		if (n + 1 > ldns_rdf_size(f))
			n = ldns_rdf_size(f) > 0 ? ldns_rdf_size(f) - 1 : 0;
		memcpy(d + o, p + 1, n);
		o += n;
	}
	d[o] = '\0';
	*len = o;
	return d;
}

/*
 * A domain name RDATA field in presentation format with the trailing dot,
 * escaped as ldns_rdf2str() does (a backslash before '.', ';', '(', ')'
 * and a backslash in a label; \DDD for bytes outside printable ASCII),
 * without its buffers:
 * MX and PTR answers are converted for every evaluation.
 */
static char *
dname_str(const ldns_rdf *f)
{
	const uint8_t *p = ldns_rdf_data(f);
	size_t n = ldns_rdf_size(f), i = 0, o = 0;
	char *d;

	if ((d = malloc(n * 4 + 2)) == NULL)
		return NULL;
	while (i < n && p[i] != 0) {
		size_t len = p[i++];

		for (size_t k = 0; k < len && i < n; k++, i++) {
			uint8_t c = p[i];

			if (c == '.' || c == '\\' || c == '(' || c == ')' ||
			    c == ';') {
				d[o++] = '\\';
				d[o++] = (char)c;
			} else if (c > 0x20 && c < 0x7f)
				d[o++] = (char)c;
			else
				o += (size_t)sprintf(d + o, "\\%03u", c);
		}
		d[o++] = '.';
	}
	if (o == 0)
		d[o++] = '.';
	d[o] = '\0';
	return d;
}

/* One RR into the evaluator's form; *keep receives malloc'd data. */
static int
rr_convert(const ldns_rr *rr, int type, struct hy_spf_rr *out, char **keep)
{
	const ldns_rdf *f;

	memset(out, 0, sizeof(*out));
	*keep = NULL;
	switch (type) {
	case HY_SPF_T_A:
	case HY_SPF_T_AAAA:
		f = ldns_rr_rdf(rr, 0);
		if (f == NULL || ldns_rdf_size(f) != (type == HY_SPF_T_A ? 4u :
		    16u))
			return 1;	/* skip */
		memcpy(out->addr, ldns_rdf_data(f), ldns_rdf_size(f));
		return 0;
	case HY_SPF_T_TXT:
		if ((*keep = txt_data(rr, &out->len)) == NULL)
			return -1;
		out->data = *keep;
		return 0;
	case HY_SPF_T_MX:
	case HY_SPF_T_PTR:
		f = ldns_rr_rdf(rr, type == HY_SPF_T_MX ? 1 : 0);
		if (f == NULL || ldns_rdf_get_type(f) != LDNS_RDF_TYPE_DNAME)
			return 1;	/* skip */
		if ((*keep = dname_str(f)) == NULL)
			return -1;
		out->data = *keep;
		out->len = strlen(*keep);
		return 0;
	}
	return 1;
}

/*
 * Translate an engine result and hand it to the evaluator. The answer
 * section is read in place (the packet lives through this callback), and
 * only RRs of the asked type count: a CNAME alone is no data.
 */
static int
feed(struct hy_spf_eval *ev, int type, const struct hy_dns_result *res)
{
	const ldns_rr_list *list = NULL;
	struct hy_spf_rr *rrs = NULL;
	char **keep = NULL;
	size_t n = 0, cnt;
	enum hy_spf_dns st;
	int rc = -1, r;

	switch (res->status) {
	case HY_DNS_ANSWER:
		st = HY_SPF_DNS_ANSWER;
		break;
	case HY_DNS_NODATA:
		st = HY_SPF_DNS_NODATA;
		break;
	case HY_DNS_NXDOMAIN:
		st = HY_SPF_DNS_NXDOMAIN;
		break;
	default:
		return hy_spf_answer(ev, HY_SPF_DNS_TEMPFAIL, NULL, 0);
	}
	if (st == HY_SPF_DNS_ANSWER && res->pkt != NULL &&
	    (list = ldns_pkt_answer(res->pkt)) != NULL &&
	    (cnt = ldns_rr_list_rr_count(list)) > 0) {
		rrs = calloc(cnt + 1, sizeof(*rrs));
		keep = calloc(cnt + 1, sizeof(*keep));
		if (rrs == NULL || keep == NULL)
			goto out;
		for (size_t i = 0; i < cnt; i++) {
			const ldns_rr *rr = ldns_rr_list_rr(list, i);

			if (ldns_rr_get_type(rr) != (ldns_rr_type)type)
				continue;
			r = rr_convert(rr, type, &rrs[n], &keep[n]);
			if (r < 0)
				goto out;
			if (r == 0)
				n++;
		}
	}
	/* Only a CNAME, or nothing of the type: no data. */
	if (st == HY_SPF_DNS_ANSWER && n == 0)
		st = HY_SPF_DNS_NODATA;
	rc = hy_spf_answer(ev, st, rrs, n);
out:
	for (size_t i = 0; keep != NULL && i < n + 1; i++)
		free(keep[i]);
	free(keep);
	free(rrs);
	return rc;
}

static void
job_finish(void *arg)
{
	struct spf_job *j = arg;

	j->done(j->arg, j->ev, j->nomem);
	free(j);
}

static void
on_answer(void *arg, const struct hy_dns_result *res)
{
	struct spf_job *j = arg;
	const char *name;
	int type;

	hy_spf_query(j->ev, &name, &type);
	if (feed(j->ev, type, res) != 0) {
		j->nomem = true;
		job_finish(j);
		return;
	}
	job_advance(j);
}

/*
 * Step until the evaluator waits for the engine or is done. A question
 * the engine refuses locally (a name it cannot encode) is answered as a
 * temporary error at once: not a measurement of absence.
 */
static void
job_advance(struct spf_job *j)
{
	enum hy_spf_step s;
	const char *name;
	int type;

	while ((s = hy_spf_step(j->ev)) == HY_SPF_STEP_DNS) {
		hy_spf_query(j->ev, &name, &type);
		if (hy_dns_query(j->group, name, (ldns_rr_type)type, 0,
		    on_answer, j) == 0)
			return;
		if (hy_spf_answer(j->ev, HY_SPF_DNS_TEMPFAIL, NULL, 0) != 0) {
			s = HY_SPF_STEP_NOMEM;
			break;
		}
	}
	j->nomem = s == HY_SPF_STEP_NOMEM;
	/* Finishing goes through the loop so done never runs inside the
	 * caller's hy_spf_run(). */
	hy_timer_start(j->loop, &j->timer, 0, job_finish, j);
}

int
hy_spf_run(struct hy_loop *loop, struct hy_dns_group *group,
    struct hy_spf_eval *ev, hy_spf_done_fn done, void *arg)
{
	struct spf_job *j;

	if ((j = calloc(1, sizeof(*j))) == NULL)
		return -1;
	j->loop = loop;
	j->group = group;
	j->ev = ev;
	j->done = done;
	j->arg = arg;
	job_advance(j);
	return 0;
}
