/*
 * The chain walk's state machine against a miniature signed tree built at
 * test time (minizone.c) standing in for a CD=1 resolver: secure chains,
 * a proven insecure delegation, DS stripping (bogus, not insecure), a DS
 * denial from the wrong side of the cut, a DS for another key, expired
 * signatures, timeouts (indeterminate), and the run-wide zone cache that
 * validates the root once for many domains and coalesces concurrent walks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <cmocka.h>

#include "dnssec.h"
#include "minizone.h"

#define NOW	1700000000

struct fake;

struct port {			/* one walk's view of the resolver */
	struct fake	*f;
	int		 id;
};

struct pend {
	int		 port;
	char		*name;
	ldns_rr_type	 type;
	hy_dns_fn	 cb;
	void		*arg;
};

struct fake {
	struct mz		*mz;
	struct hy_dnssec_shared	*shared;
	struct pend		 q[512];
	size_t			 n;
	unsigned		 asked;
	unsigned		 asked_root_dnskey;
	const char		*timeout_name;	/* answer TIMEOUT for this */
	ldns_rr_type		 timeout_type;
	int			 done;
	struct port		 ports[4];
};

static int
fake_query(void *qarg, const char *name, ldns_rr_type type, hy_dns_fn cb,
    void *cbarg)
{
	struct port *pt = qarg;
	struct fake *f = pt->f;

	assert_true(f->n < sizeof(f->q) / sizeof(f->q[0]));
	f->q[f->n].port = pt->id;
	f->q[f->n].name = strdup(name);
	f->q[f->n].type = type;
	f->q[f->n].cb = cb;
	f->q[f->n].arg = cbarg;
	f->n++;
	f->asked++;
	if (type == LDNS_RR_TYPE_DNSKEY && strcmp(name, ".") == 0)
		f->asked_root_dnskey++;
	return 0;
}

static void
fake_done(void *darg, struct hy_dnssec_walk *w)
{
	struct fake *f = darg;

	(void)w;
	f->done++;
}

/* Answer up to max queued questions, first in first out. */
static void
pump_n(struct fake *f, size_t max)
{
	while (f->n > 0 && max-- > 0) {
		struct pend p = f->q[0];
		struct hy_dns_result res;
		ldns_pkt *pkt = NULL;

		memmove(&f->q[0], &f->q[1], --f->n * sizeof(f->q[0]));
		memset(&res, 0, sizeof(res));
		if (f->timeout_name != NULL &&
		    strcasecmp(p.name, f->timeout_name) == 0 &&
		    p.type == f->timeout_type) {
			res.status = HY_DNS_TIMEOUT;
			res.rcode = -1;
		} else {
			pkt = mz_answer(f->mz, p.name, p.type, &res.status);
			assert_non_null(pkt);
			res.pkt = pkt;
			res.rcode = ldns_pkt_get_rcode(pkt);
		}
		p.cb(p.arg, &res);
		ldns_pkt_free(pkt);
		free(p.name);
	}
}

/* Until none is left. */
static void
pump(struct fake *f)
{
	pump_n(f, SIZE_MAX);
}

/* Only what is queued now, not what the answers make the walks ask. */
static void
pump_round(struct fake *f)
{
	pump_n(f, f->n);
}

/* Forget the questions of one walk (its DNS group was freed). */
static void
drop_port(struct fake *f, int id)
{
	size_t k = 0;

	for (size_t i = 0; i < f->n; i++) {
		if (f->q[i].port == id)
			free(f->q[i].name);
		else
			f->q[k++] = f->q[i];
	}
	f->n = k;
}

static struct hy_dnssec_walk *
walk_on(struct fake *f, const char *domain, time_t now, int port)
{
	struct hy_dnssec_env env = {
		.shared = f->shared, .now = now, .query = fake_query,
		.qarg = &f->ports[port], .done = fake_done, .darg = f,
	};
	struct hy_dnssec_walk *w = hy_dnssec_walk_new(&env, domain);

	assert_non_null(w);
	assert_int_equal(hy_dnssec_walk_start(w), 0);
	assert_int_equal(f->done, 0);	/* never done from inside start */
	return w;
}

static struct hy_dnssec_walk *
walk(struct fake *f, const char *domain, time_t now)
{
	return walk_on(f, domain, now, 0);
}

static struct fake *
setup_tree(void)
{
	struct fake *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	assert_non_null(f->mz = mz_new(NOW));
	assert_int_equal(mz_add_child(f->mz, "good.", MZ_DS_YES), 0);
	assert_int_equal(mz_add_child(f->mz, "island.", MZ_DS_NONE), 0);
	assert_int_equal(mz_add_child(f->mz, "stripped.", MZ_DS_STRIPPED), 0);
	assert_int_equal(mz_add_child(f->mz, "wrongside.", MZ_DS_CHILD_NSEC),
	    0);
	assert_int_equal(mz_add_child(f->mz, "mismatch.", MZ_DS_MISMATCH), 0);
	assert_int_equal(mz_add_child(f->mz, "other.", MZ_DS_YES), 0);
	assert_int_equal(mz_add_child(f->mz, "nokeys.", MZ_NO_DNSKEY), 0);
	assert_int_equal(mz_add_child(f->mz, "nosig.", MZ_UNSIGNED_TXT), 0);
	assert_int_equal(mz_add_child(f->mz, "foreignsig.", MZ_FOREIGN_SIG_TXT),
	    0);
	assert_int_equal(mz_add_child(f->mz, "spoofsoa.", MZ_SOA_FROM_PARENT),
	    0);
	assert_int_equal(mz_add_child(f->mz, "shortds.", MZ_DS_SHORT_SIG), 0);
	assert_int_equal(mz_add_child(f->mz, "zskonly.", MZ_DNSKEY_BY_ZSK), 0);
	assert_int_equal(mz_add_child(f->mz, "extraalg.", MZ_DS_EXTRA_ALG), 0);
	assert_int_equal(mz_add_child(f->mz, "rsa1024.", MZ_RSA_SHORT), 0);
	assert_int_equal(mz_finish(f->mz), 0);
	assert_non_null(f->shared = hy_dnssec_shared_new(mz_anchors(f->mz)));
	for (int i = 0; i < 4; i++) {
		f->ports[i].f = f;
		f->ports[i].id = i;
	}
	return f;
}

static int
setup(void **state)
{
	*state = setup_tree();
	return 0;
}

static int
teardown(void **state)
{
	struct fake *f = *state;

	hy_dnssec_shared_free(f->shared);
	mz_free(f->mz);
	free(f);
	return 0;
}

static int
count_code(const struct hy_dnssec_walk *w, const char *code)
{
	json_t *o = hy_dnssec_walk_json(w), *v;
	size_t i;
	int n = 0;

	assert_non_null(o);
	json_array_foreach(json_object_get(o, "issues"), i, v)
		if (strcmp(json_string_value(json_object_get(v, "code")),
		    code) == 0)
			n++;
	json_decref(o);
	return n;
}

static bool
has_code(const struct hy_dnssec_walk *w, const char *code)
{
	return count_code(w, code) > 0;
}

static enum hy_dnssec_status
run1(struct fake *f, const char *domain, time_t now,
    struct hy_dnssec_walk **out)
{
	struct hy_dnssec_walk *w = walk(f, domain, now);

	pump(f);
	assert_int_equal(f->done, 1);
	f->done = 0;
	*out = w;
	return hy_dnssec_walk_status(w);
}

static void
test_secure(void **state)
{
	struct fake *f = *state;
	struct hy_dnssec_walk *w;
	json_t *o;

	assert_int_equal(run1(f, "good", NOW, &w), HY_DNSSEC_SECURE);
	o = hy_dnssec_walk_json(w);
	assert_string_equal(json_string_value(json_object_get(o, "zone")),
	    "good");
	assert_int_equal(json_array_size(json_object_get(o, "chain")), 2);
	assert_string_equal(json_string_value(json_object_get(o, "denial")),
	    "nsec");
	assert_true(json_is_string(json_object_get(o,
	    "signature_expires_at")));
	json_decref(o);
	hy_dnssec_walk_free(w);
	/* A name below the apex is in the same zone. */
	assert_int_equal(run1(f, "www.good.", NOW, &w), HY_DNSSEC_SECURE);
	hy_dnssec_walk_free(w);
}

static void
test_insecure_proven(void **state)
{
	struct fake *f = *state;
	struct hy_dnssec_walk *w;

	assert_int_equal(run1(f, "island", NOW, &w), HY_DNSSEC_INSECURE);
	assert_true(has_code(w, "no-ds-at-parent"));
	hy_dnssec_walk_free(w);
}

/* RFC 4035 §5.2: no DS and no proof is not "insecure". */
static void
test_stripped_ds_is_bogus(void **state)
{
	struct fake *f = *state;
	struct hy_dnssec_walk *w;

	assert_int_equal(run1(f, "stripped", NOW, &w), HY_DNSSEC_BOGUS);
	assert_true(has_code(w, "ds-denial-missing"));
	hy_dnssec_walk_free(w);
}

static void
test_child_side_denial_is_bogus(void **state)
{
	struct fake *f = *state;
	struct hy_dnssec_walk *w;

	assert_int_equal(run1(f, "wrongside", NOW, &w), HY_DNSSEC_BOGUS);
	/* The child's apex NSEC carries no signature of the parent. */
	assert_true(has_code(w, "missing-rrsig"));
	hy_dnssec_walk_free(w);
}

static void
test_ds_mismatch(void **state)
{
	struct fake *f = *state;
	struct hy_dnssec_walk *w;

	assert_int_equal(run1(f, "mismatch", NOW, &w), HY_DNSSEC_BOGUS);
	assert_true(has_code(w, "ds-mismatch"));
	hy_dnssec_walk_free(w);
}

static void
test_no_dnskey(void **state)
{
	struct fake *f = *state;
	struct hy_dnssec_walk *w;

	assert_int_equal(run1(f, "nokeys", NOW, &w), HY_DNSSEC_BOGUS);
	assert_true(has_code(w, "no-dnskey"));
	hy_dnssec_walk_free(w);
}

/* One RRset without its RRSIG in a signed zone makes the domain bogus. */
static void
test_missing_rrsig(void **state)
{
	struct fake *f = *state;
	struct hy_dnssec_walk *w;
	json_t *o;

	assert_int_equal(run1(f, "nosig", NOW, &w), HY_DNSSEC_BOGUS);
	assert_true(has_code(w, "missing-rrsig"));
	o = hy_dnssec_walk_json(w);
	/* The zone itself is fine: only the TXT RRset is at fault. */
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	    json_object_get(o, "chain"), 1), "status")), "secure");
	json_decref(o);
	hy_dnssec_walk_free(w);
}

/* Issue 11 item 1: an RRSIG in the answer whose signer lies below the
 * zone does not excuse the missing one: secure means validated. */
static void
test_foreign_signer_is_no_excuse(void **state)
{
	struct fake *f = *state;
	struct hy_dnssec_walk *w;
	json_t *o, *v;
	size_t i;

	assert_int_equal(run1(f, "foreignsig", NOW, &w), HY_DNSSEC_BOGUS);
	assert_true(has_code(w, "missing-rrsig"));
	o = hy_dnssec_walk_json(w);
	json_array_foreach(json_object_get(o, "rrsets"), i, v)
		assert_string_not_equal(json_string_value(json_object_get(v,
		    "status")), "not-checked");
	json_decref(o);
	hy_dnssec_walk_free(w);
}

/* Issue 11 items 2 and 3: the SOA answer comes from the root (its SOA,
 * its NSEC at the delegation, all genuinely signed). The zone is not
 * the root because an unvalidated SOA owner says so, and the parent's
 * record at the delegation proves nothing about the child's SOA. */
static void
test_soa_from_parent(void **state)
{
	struct fake *f = *state;
	struct hy_dnssec_walk *w;

	assert_int_equal(run1(f, "spoofsoa", NOW, &w), HY_DNSSEC_BOGUS);
	assert_true(has_code(w, "denial-invalid"));
	hy_dnssec_walk_free(w);
}

/* Issue 11 item 4: the earliest expiry along the whole chain, the
 * root's RRSIG over the DS RRset included. */
static void
test_expiry_includes_ds(void **state)
{
	struct fake *f = *state;
	struct hy_dnssec_walk *w;
	json_t *o;
	char want[32];
	time_t t = NOW + 2 * 86400;

	assert_int_equal(run1(f, "shortds", NOW, &w), HY_DNSSEC_SECURE);
	strftime(want, sizeof(want), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
	o = hy_dnssec_walk_json(w);
	assert_string_equal(json_string_value(json_object_get(o,
	    "signature_expires_at")), want);
	json_decref(o);
	assert_true(has_code(w, "signature-expires-soon"));
	hy_dnssec_walk_free(w);
}

/* Issue 11 item 6: a DNSKEY RRset signed only by a key no DS names is
 * said plainly; a DS algorithm without a key is a half-done rollover;
 * short RSA keys are one finding per zone. */
static void
test_operator_findings(void **state)
{
	struct fake *f = *state;
	struct hy_dnssec_walk *w;

	assert_int_equal(run1(f, "zskonly", NOW, &w), HY_DNSSEC_BOGUS);
	assert_true(has_code(w, "dnskey-not-signed-by-ds-key"));
	hy_dnssec_walk_free(w);
	assert_int_equal(run1(f, "extraalg", NOW, &w), HY_DNSSEC_SECURE);
	assert_true(has_code(w, "algorithm-rollover-incomplete"));
	hy_dnssec_walk_free(w);
	assert_int_equal(run1(f, "rsa1024", NOW, &w), HY_DNSSEC_SECURE);
	assert_int_equal(count_code(w, "rsa-key-short"), 1);
	hy_dnssec_walk_free(w);
}

/* At a time past every expiration the root itself fails. */
static void
test_expired(void **state)
{
	struct fake *f = *state;
	struct hy_dnssec_walk *w;

	assert_int_equal(run1(f, "good", NOW + 60 * 86400, &w),
	    HY_DNSSEC_BOGUS);
	assert_true(has_code(w, "signature-expired"));
	hy_dnssec_walk_free(w);
}

static void
test_timeout_is_indeterminate(void **state)
{
	struct fake *f = *state;
	struct hy_dnssec_walk *w;

	f->timeout_name = "good.";
	f->timeout_type = LDNS_RR_TYPE_DNSKEY;
	assert_int_equal(run1(f, "good", NOW, &w), HY_DNSSEC_INDETERMINATE);
	assert_true(has_code(w, "query-failed"));
	hy_dnssec_walk_free(w);
	/* Not cached: the next walk asks again and succeeds. */
	f->timeout_name = NULL;
	assert_int_equal(run1(f, "good", NOW, &w), HY_DNSSEC_SECURE);
	hy_dnssec_walk_free(w);
}

/* Three concurrent walks below two zones: the root is fetched and
 * validated once, each child once. */
static void
test_shared_cache(void **state)
{
	struct fake *f = *state;
	struct hy_dnssec_walk *a, *b, *c;

	a = walk(f, "good", NOW);
	b = walk(f, "www.good", NOW);
	c = walk(f, "other", NOW);
	pump(f);
	assert_int_equal(f->done, 3);
	f->done = 0;
	assert_int_equal(hy_dnssec_walk_status(a), HY_DNSSEC_SECURE);
	assert_int_equal(hy_dnssec_walk_status(b), HY_DNSSEC_SECURE);
	assert_int_equal(hy_dnssec_walk_status(c), HY_DNSSEC_SECURE);
	assert_int_equal(f->asked_root_dnskey, 1);
	assert_int_equal(hy_dnssec_shared_validations(f->shared), 3);
	hy_dnssec_walk_free(a);
	hy_dnssec_walk_free(b);
	hy_dnssec_walk_free(c);
	/* Later walks reuse the table: no more root queries. */
	assert_int_equal(run1(f, "other", NOW, &a), HY_DNSSEC_SECURE);
	assert_int_equal(f->asked_root_dnskey, 1);
	assert_int_equal(hy_dnssec_shared_validations(f->shared), 3);
	hy_dnssec_walk_free(a);
}

/* A walk freed while it owns the root job hands it over: the walk that
 * waited on it starts its own and finishes. */
static void
test_owner_freed(void **state)
{
	struct fake *f = *state;
	struct hy_dnssec_walk *a, *b;

	a = walk_on(f, "good", NOW, 0);
	b = walk_on(f, "other", NOW, 1);
	pump_round(f);		/* SOA, TXT, MX, _dmarc: zones known */
	pump_round(f);		/* DS, DNSKEY: a owns the root job */
	assert_int_equal(f->asked_root_dnskey, 1);
	hy_dnssec_walk_free(a);
	drop_port(f, 0);	/* as a's DNS group would */
	pump(f);
	assert_int_equal(f->done, 1);
	assert_int_equal(hy_dnssec_walk_status(b), HY_DNSSEC_SECURE);
	assert_int_equal(f->asked_root_dnskey, 2);
	hy_dnssec_walk_free(b);
	f->done = 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_secure, setup, teardown),
		cmocka_unit_test_setup_teardown(test_insecure_proven, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_stripped_ds_is_bogus,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_child_side_denial_is_bogus,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_ds_mismatch, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_no_dnskey, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_missing_rrsig, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_foreign_signer_is_no_excuse,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_soa_from_parent, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_expiry_includes_ds, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_operator_findings, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_expired, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeout_is_indeterminate,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_shared_cache, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_owner_freed, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
