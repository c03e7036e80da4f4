/*
 * The `tls_rpt` probe (RFC 8460 §3): one TXT lookup at _smtp._tls.<domain>.
 * Records not starting with v=TLSRPTv1 are ignored; more than one that
 * does means the domain does not implement TLS-RPT (invalid). A lookup
 * that fails, or memory that runs out while the answer is read, is
 * temperror: could not measure, never absent.
 */
#include <stdlib.h>
#include <string.h>

#include "hygiene/txt.h"
#include "sts.h"

enum rpt_status { RPT_VALID, RPT_ABSENT, RPT_INVALID, RPT_TEMPERROR };

struct rpt_state {
	struct hy_check		*chk;
	enum rpt_status		 status;
	struct hy_tlsrpt_record	 rec;
	char			*record;
	struct hy_findings	 findings;
	struct hy_timer		 timer;
};

static const char *
rpt_status_str(enum rpt_status s)
{
	switch (s) {
	case RPT_VALID:
		return "valid";
	case RPT_ABSENT:
		return "absent";
	case RPT_INVALID:
		return "invalid";
	case RPT_TEMPERROR:
		break;
	}
	return "temperror";
}

static void
rpt_finish(void *arg)
{
	struct rpt_state *s = arg;

	hy_check_probe_done(s->chk, &hy_probe_tls_rpt);
}

/* Returns -1 on OOM. */
static int
rpt_consider(struct rpt_state *s, const char *txt, size_t len, size_t *n)
{
	struct hy_tlsrpt_record rec;
	enum hy_tlsrpt_parse pr = hy_tlsrpt_parse(txt, len, &rec);

	if (pr == HY_TLSRPT_NOMEM)
		return -1;
	if (pr == HY_TLSRPT_NOT_TLSRPT)
		return 0;
	if (++(*n) > 1) {
		hy_tlsrpt_record_clear(&rec);
		return 0;
	}
	s->rec = rec;
	s->status = pr == HY_TLSRPT_VALID ? RPT_VALID : RPT_INVALID;
	if ((s->record = hy_txt_printable(txt, len)) == NULL)
		return -1;
	return 0;
}

static void
rpt_cb(void *arg, const struct hy_dns_result *res)
{
	struct rpt_state *s = arg;
	ldns_rr_list *rrs;
	size_t n = 0, len;
	char *txt;
	int rc = 0;

	s->status = RPT_ABSENT;
	if (!hy_dns_status_measured(res->status)) {
		s->status = RPT_TEMPERROR;
		rc = hy_findings_add(&s->findings, "dns-error", HY_SEV_WARNING,
		    "the lookup of _smtp._tls.%s failed: %s",
		    hy_check_domain(s->chk), hy_dns_status_str(res->status));
	} else if (hy_dns_answer_rrs(res, LDNS_RR_TYPE_TXT, &rrs) != 0) {
		rc = -1;
	} else {
		for (size_t i = 0; rc == 0 && i < ldns_rr_list_rr_count(rrs);
		    i++) {
			if ((txt = hy_txt_join(ldns_rr_list_rr(rrs, i),
			    &len)) == NULL) {
				rc = -1;
				break;
			}
			rc = rpt_consider(s, txt, len, &n);
			free(txt);
		}
		ldns_rr_list_deep_free(rrs);
		if (rc == 0 && n > 1) {
			s->status = RPT_INVALID;
			rc = hy_findings_add(&s->findings, "multiple-records",
			    HY_SEV_ERROR, "_smtp._tls.%s has %zu TLS-RPT "
			    "records; senders then assume none (RFC 8460 §3)",
			    hy_check_domain(s->chk), n);
		}
	}
	if (rc != 0) {
		/* Whatever was read so far is no verdict. */
		s->status = RPT_TEMPERROR;
		(void)hy_check_error(s->chk, "out-of-memory",
		    "tls_rpt: out of memory");
	}
	hy_timer_start(hy_run_loop(hy_check_run(s->chk)), &s->timer, 0,
	    rpt_finish, s);
}

static int
rpt_start(struct hy_check *c, void **state)
{
	struct rpt_state *s;
	char name[300];

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return -1;
	*state = s;
	s->chk = c;
	s->status = RPT_TEMPERROR;
	snprintf(name, sizeof(name), "_smtp._tls.%s", hy_check_domain(c));
	if (hy_dns_query(hy_check_group(c), name, LDNS_RR_TYPE_TXT, 0, rpt_cb,
	    s) != 0) {
		(void)hy_findings_add(&s->findings, "dns-error", HY_SEV_WARNING,
		    "could not send the lookup of %s", name);
		hy_timer_start(hy_run_loop(hy_check_run(c)), &s->timer, 0,
		    rpt_finish, s);
	}
	return 0;
}

/* Why the status, one sentence citing RFC 8460. NULL on OOM. */
static char *
rpt_reason(const struct rpt_state *s, const json_t *issues)
{
	const char *d = hy_check_domain(s->chk), *m, *nomx;
	char *r = NULL;
	int n = -1;

	switch (s->status) {
	case RPT_ABSENT:
		nomx = hy_sts_no_mx(s->chk);
		n = asprintf(&r, "no v=TLSRPTv1 TXT record at _smtp._tls.%s "
		    "(RFC 8460 §3)%s", d, nomx != NULL ? nomx : "");
		break;
	case RPT_VALID:
		n = asprintf(&r, "_smtp._tls.%s asks senders to report failed "
		    "TLS to %zu destination%s (RFC 8460 §3)", d, s->rec.nrua,
		    s->rec.nrua == 1 ? "" : "s");
		break;
	default:
		if ((m = hy_findings_json_first(issues, HY_SEV_ERROR)) != NULL ||
		    (m = hy_findings_json_first(issues, HY_SEV_WARNING)) !=
		    NULL)
			return strdup(m);
		return strdup(s->status == RPT_INVALID ? "the TLS-RPT record is "
		    "not valid, so senders ignore it (RFC 8460 §3)" : "TLS-RPT "
		    "could not be measured");
	}
	return n < 0 ? NULL : r;
}

static int
rpt_emit(struct hy_check *c, void *state, json_t *obj)
{
	struct rpt_state *s = state;
	json_t *o, *rua = json_array(), *iss, *more;
	char *why;

	(void)c;
	for (size_t i = 0; rua != NULL && i < s->rec.nrua; i++)
		if (json_array_append_new(rua, json_string(s->rec.rua[i])) != 0)
			goto fail;
	if ((iss = hy_findings_to_json(&s->findings)) == NULL)
		goto fail;
	if ((more = hy_findings_to_json(&s->rec.findings)) == NULL ||
	    json_array_extend(iss, more) != 0) {
		json_decref(more);
		json_decref(iss);
		goto fail;
	}
	json_decref(more);
	o = json_pack("{s:s, s:s?, s:o, s:o}", "status",
	    rpt_status_str(s->status), "record", s->record, "rua", rua,
	    "issues", iss);
	if (o == NULL)
		return -1;
	why = rpt_reason(s, json_object_get(o, "issues"));
	if (why == NULL || json_object_set_new(o, "reason", json_string(why)) !=
	    0) {
		free(why);
		json_decref(o);
		return -1;
	}
	free(why);
	return json_object_set_new(obj, "tls_rpt", o);
fail:
	json_decref(rua);
	return -1;
}

static void
rpt_free(void *state)
{
	struct rpt_state *s = state;

	if (s == NULL)
		return;
	hy_tlsrpt_record_clear(&s->rec);
	hy_findings_clear(&s->findings);
	free(s->record);
	free(s);
}

const struct hy_probe hy_probe_tls_rpt = {
	.name = "tls_rpt",
	.phase = HY_PHASE_START,
	.start = rpt_start,
	.emit = rpt_emit,
	.free = rpt_free,
};
