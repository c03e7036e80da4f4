/*
 * Out of memory in the DNSSEC walk is never a verdict and never kept
 * (issue 10 item 15).
 *
 * This binary replaces malloc, calloc and realloc. For N = 0, 1, 2, ...
 * a walk of a secure domain runs with the N-th allocation made during
 * the walk failing: anywhere, in the walk, ldns, OpenSSL or jansson. The
 * walk must still report exactly once, secure (the failed work was not
 * needed or was retried) or indeterminate; never bogus or insecure. The
 * same zone table must then give a clean walk its secure verdict: no
 * zone was kept as bogus. The sweep ends at the first N the walk never
 * reaches.
 *
 * Sanitizer builds replace malloc themselves; there this test is skipped.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "dnssec.h"
#include "minizone.h"

#define NOW	1700000000

#if defined(__SANITIZE_ADDRESS__)
#define NO_INTERPOSE 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NO_INTERPOSE 1
#endif
#endif

#ifndef NO_INTERPOSE
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);

static long countdown = -1;	/* fail when it reaches 0; -1: off */
static long failed, seen;

static int
fail_now(void)
{
	if (countdown < 0)
		return 0;
	seen++;
	if (countdown-- == 0) {
		failed++;
		return 1;
	}
	return 0;
}

void *
malloc(size_t n)
{
	return fail_now() ? NULL : __libc_malloc(n);
}

void *
calloc(size_t a, size_t b)
{
	return fail_now() ? NULL : __libc_calloc(a, b);
}

void *
realloc(void *p, size_t n)
{
	return fail_now() ? NULL : __libc_realloc(p, n);
}

void
free(void *p)
{
	__libc_free(p);
}
#endif

#ifndef NO_INTERPOSE
struct pend {
	char		*name;
	ldns_rr_type	 type;
	hy_dns_fn	 cb;
	void		*arg;
};

struct fake {
	struct mz	*mz;
	struct pend	 q[256];
	size_t		 n;
	int		 done;
};

static int
fake_query(void *qarg, const char *name, ldns_rr_type type, hy_dns_fn cb,
    void *cbarg)
{
	struct fake *f = qarg;
	char *copy;

	if (f->n == sizeof(f->q) / sizeof(f->q[0]) ||
	    (copy = strdup(name)) == NULL)
		return -1;
	f->q[f->n].name = copy;
	f->q[f->n].type = type;
	f->q[f->n].cb = cb;
	f->q[f->n].arg = cbarg;
	f->n++;
	return 0;
}

static void
fake_done(void *darg, struct hy_dnssec_walk *w)
{
	(void)w;
	((struct fake *)darg)->done++;
}

/* Answer every question; the resolver's own allocations never fail. */
static void
pump(struct fake *f)
{
	while (f->n > 0) {
		struct pend p = f->q[0];
		struct hy_dns_result res;
		long saved = countdown;
		ldns_pkt *pkt;

		memmove(&f->q[0], &f->q[1], --f->n * sizeof(f->q[0]));
		memset(&res, 0, sizeof(res));
		countdown = -1;
		pkt = mz_answer(f->mz, p.name, p.type, &res.status);
		countdown = saved;
		assert_non_null(pkt);
		res.pkt = pkt;
		res.rcode = ldns_pkt_get_rcode(pkt);
		p.cb(p.arg, &res);
		saved = countdown;
		countdown = -1;
		ldns_pkt_free(pkt);
		free(p.name);
		countdown = saved;
	}
}

static enum hy_dnssec_status
walk_once(struct fake *f, struct hy_dnssec_shared *sh, const char *domain,
    long fail_at, bool *started)
{
	struct hy_dnssec_env env = {
		.shared = sh, .now = NOW, .query = fake_query, .qarg = f,
		.done = fake_done, .darg = f,
	};
	struct hy_dnssec_walk *w;
	enum hy_dnssec_status st = HY_DNSSEC_INDETERMINATE;
	json_t *o;

	f->done = 0;
	countdown = fail_at;
	w = hy_dnssec_walk_new(&env, domain);
	*started = w != NULL && hy_dnssec_walk_start(w) == 0;
	if (*started) {
		pump(f);
		st = hy_dnssec_walk_status(w);
		/* The JSON may be NULL (OOM) but never a crash. */
		if ((o = hy_dnssec_walk_json(w)) != NULL)
			json_decref(o);
	}
	countdown = -1;
	hy_dnssec_walk_free(w);
	for (size_t i = 0; i < f->n; i++)
		free(f->q[i].name);
	f->n = 0;
	return st;
}

static void
test_oom_never_a_verdict(void **state)
{
	struct fake f;
	long n;

	(void)state;
	memset(&f, 0, sizeof(f));
	assert_non_null(f.mz = mz_new(NOW));
	assert_int_equal(mz_add_child(f.mz, "good.", MZ_DS_YES), 0);
	assert_int_equal(mz_finish(f.mz), 0);
	for (n = 0;; n++) {
		struct hy_dnssec_shared *sh;
		enum hy_dnssec_status st;
		bool started;

		assert_non_null(sh = hy_dnssec_shared_new(mz_anchors(f.mz)));
		failed = seen = 0;
		st = walk_once(&f, sh, "good", n, &started);
		if (started) {
			if (f.done != 1 || (st != HY_DNSSEC_SECURE &&
			    st != HY_DNSSEC_INDETERMINATE))
				fail_msg("allocation %ld failing: done %d times, "
				    "verdict %s", n, f.done,
				    hy_dnssec_status_str(st));
		}
		/* Nothing kept as bogus: the same table, no failure. */
		st = walk_once(&f, sh, "good", -1, &started);
		if (!started || f.done != 1 || st != HY_DNSSEC_SECURE)
			fail_msg("after allocation %ld failed, a clean walk "
			    "gives %s", n, hy_dnssec_status_str(st));
		hy_dnssec_shared_free(sh);
		if (failed == 0)
			break;		/* the walk made fewer than n + 1 */
	}
	/* The sweep went through the walk, not only its first steps. */
	assert_true(n > 1000);
	printf("swept %ld allocation points\n", n);
	mz_free(f.mz);
}
#endif

int
main(void)
{
#ifdef NO_INTERPOSE
	printf("skipped: a sanitizer replaces malloc in this build\n");
	return 0;
#else
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_oom_never_a_verdict),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
#endif
}
