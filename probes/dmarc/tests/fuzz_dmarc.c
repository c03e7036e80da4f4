/*
 * Fuzz target: the DMARC record parser and the Tree Walk evaluation, with
 * a property check on every verdict (RFC 9989 §4.10.1):
 *
 *   byte 0   bit i (0..5): the lookup at step i failed; bit 7: PSL mode
 *   byte 1   existence of the domain (mod 3: unknown, yes, no)
 *   rest     the TXT answers of the steps of a.b.c.d.example.jp, steps
 *            separated by 0x1e, TXT strings of one step by '\n'
 *
 * Each whole input is also parsed as one record. A verdict that breaks an
 * invariant aborts.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dmarc.h"

#define NSTEPS 6

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(bool ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_dmarc: invariant broken: %s\n", what);
		abort();
	}
}

/* Fill the steps from the answers; false on OOM. */
static bool
fill(struct hy_dmarc_step *s, size_t n, unsigned fail, const char *p,
    size_t len)
{
	const char *end = p + len, *seg, *q;

	for (size_t i = 0; i < n; i++) {
		seg = memchr(p, 0x1e, (size_t)(end - p));
		if (seg == NULL)
			seg = end;
		while (p < seg) {
			if ((q = memchr(p, '\n', (size_t)(seg - p))) == NULL)
				q = seg;
			if (hy_dmarc_step_add(&s[i], p, (size_t)(q - p)) != 0)
				return false;
			p = q < seg ? q + 1 : seg;
		}
		hy_dmarc_step_end(&s[i]);
		if (fail & (1u << i))
			s[i].lookup = HY_DMARC_L_FAILED;
		p = seg < end ? seg + 1 : end;
	}
	return true;
}

static void
properties(const struct hy_dmarc_step *s, size_t n,
    const struct hy_dmarc_eval *e)
{
	const struct hy_dmarc_step *ps = e->policy_step;

	check(e->status != HY_DMARC_TEMPERROR || e->policy == HY_DMARC_P_UNSET,
	    "temperror with a policy");
	check(e->status != HY_DMARC_ABSENT || (ps == NULL &&
	    e->policy == HY_DMARC_P_UNSET), "absent with a record or policy");
	check(e->status != HY_DMARC_VALID || (ps != NULL &&
	    e->policy != HY_DMARC_P_UNSET), "valid without a policy");
	check(e->policy == HY_DMARC_P_UNSET || ps != NULL,
	    "a policy without a record");
	check(e->policy != HY_DMARC_P_INVALID &&
	    e->subdomain_policy != HY_DMARC_P_INVALID, "an invalid policy");
	check(ps == NULL || ps->lookup == HY_DMARC_L_ONE,
	    "a record from a discarded or failed step");
	/* A record above the domain applies only if every lookup below it
	 * was answered: a failure could hide a nearer record. */
	for (size_t i = 0; ps != NULL && ps != &s[0] && s + i < ps; i++)
		check(s[i].lookup != HY_DMARC_L_FAILED,
		    "a parent's policy across a failed lookup");
	(void)n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hy_dmarc_step s[NSTEPS];
	struct hy_dmarc_record r;
	struct hy_dmarc_eval e;
	char name[256] = "a.b.c.d.example.jp";
	size_t n = 0;
	bool psl;

	if (hy_dmarc_parse((const char *)data, size, &r) !=
	    HY_DMARC_PARSE_NOMEM)
		hy_dmarc_record_clear(&r);
	if (size < 2)
		return 0;
	memset(s, 0, sizeof(s));
	psl = (data[0] & 0x80) != 0;
	do
		snprintf(s[n++].name, sizeof(s[0].name), "%s", name);
	while (!psl && n < NSTEPS && hy_dmarc_walk_next(name, name,
	    sizeof(name)));
	if (psl)
		snprintf(s[n++].name, sizeof(s[0].name), "example.jp");
	if (fill(s, n, data[0], (const char *)data + 2, size - 2) &&
	    hy_dmarc_evaluate(s, n, psl, "example.jp",
	    (enum hy_dmarc_exists)(data[1] % 3), &e) == 0) {
		properties(s, n, &e);
		hy_dmarc_eval_clear(&e);
	}
	for (size_t i = 0; i < n; i++)
		hy_dmarc_step_clear(&s[i]);
	return 0;
}
