/*
 * The run-wide zone table: one entry per zone whose keys a walk needed.
 * An entry is pending while one walk (its owner) fetches and validates
 * the zone; other walks wait on it instead of repeating the work. Done
 * entries stay in the table (secure, insecure and bogus alike) so the root
 * and jp. are validated once per run; unreferenced ones are evicted
 * least-recently-used first beyond a cap, so memory follows the number of
 * zones in flight, not the input size. Indeterminate results are never
 * kept: the next walk tries again.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dnssec_int.h"

#define CACHE_CAP	4096	/* unreferenced done entries kept */

struct hy_dnssec_zone {
	struct hy_dnssec_zone_info info;
	unsigned	 refs;
	bool		 done;
	bool		 in_table;
	uint32_t	 hash;
	struct hy_dnssec_zone *hnext;		/* bucket chain */
	struct hy_dnssec_zone *lru_prev, *lru_next;
	bool		 in_lru;
	struct hy_dnssec_waiter *waiters;	/* doubly linked */
	struct hy_dnssec_shared *shared;
};

struct hy_dnssec_shared {
	ldns_rr_list	*anchors;
	struct hy_dnssec_zone **buckets;
	size_t		 nbuckets;
	size_t		 count;
	struct hy_dnssec_zone *lru_head, *lru_tail;
	size_t		 lru_count;
	uint64_t	 validations;
};

static uint32_t
name_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		h = (h ^ c) * 16777619u;
	}
	return h;
}

struct hy_dnssec_shared *
hy_dnssec_shared_new(ldns_rr_list *anchors)
{
	struct hy_dnssec_shared *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->nbuckets = 256;
	if ((s->buckets = calloc(s->nbuckets, sizeof(*s->buckets))) == NULL) {
		free(s);
		return NULL;
	}
	s->anchors = anchors;
	return s;
}

static void
zone_destroy(struct hy_dnssec_zone *z)
{
	free(z->info.name);
	ldns_rr_list_deep_free(z->info.ds);
	ldns_rr_list_deep_free(z->info.dnskeys);
	hy_dnssec_pkeys_free(z->info.pkeys);
	ldns_rr_list_free(z->info.keys);	/* shares dnskeys' RRs */
	hy_findings_clear(&z->info.findings);
	if (z->info.parent != NULL)
		hy_dnssec_zone_unref((struct hy_dnssec_zone *)z->info.parent);
	free(z);
}

void
hy_dnssec_shared_free(struct hy_dnssec_shared *s)
{
	struct hy_dnssec_zone *z, *n;

	if (s == NULL)
		return;
	/* Children hold references on parents: drop the table's view first,
	 * then destroy whatever only the table kept. */
	for (size_t i = 0; i < s->nbuckets; i++)
		for (z = s->buckets[i]; z != NULL; z = n) {
			n = z->hnext;
			z->in_table = false;
			z->in_lru = false;
			z->refs++;	/* keep alive until the sweep below */
		}
	for (size_t i = 0; i < s->nbuckets; i++) {
		z = s->buckets[i];
		s->buckets[i] = NULL;
		for (; z != NULL; z = n) {
			n = z->hnext;
			hy_dnssec_zone_unref(z);
		}
	}
	free(s->buckets);
	ldns_rr_list_deep_free(s->anchors);
	free(s);
}

const ldns_rr_list *
hy_dnssec_shared_anchors(const struct hy_dnssec_shared *s)
{
	return s->anchors;
}

uint64_t
hy_dnssec_shared_validations(const struct hy_dnssec_shared *s)
{
	return s->validations;
}

void
hy_dnssec_shared_count_validation(struct hy_dnssec_shared *s)
{
	s->validations++;
}

const struct hy_dnssec_zone_info *
hy_dnssec_zone_info(const struct hy_dnssec_zone *z)
{
	return &z->info;
}

struct hy_dnssec_zone_info *
hy_dnssec_zone_info_mut(struct hy_dnssec_zone *z)
{
	return &z->info;
}

bool
hy_dnssec_zone_done(const struct hy_dnssec_zone *z)
{
	return z->done;
}

static void
lru_unlink(struct hy_dnssec_shared *s, struct hy_dnssec_zone *z)
{
	if (!z->in_lru)
		return;
	if (z->lru_prev)
		z->lru_prev->lru_next = z->lru_next;
	else
		s->lru_head = z->lru_next;
	if (z->lru_next)
		z->lru_next->lru_prev = z->lru_prev;
	else
		s->lru_tail = z->lru_prev;
	z->lru_prev = z->lru_next = NULL;
	z->in_lru = false;
	s->lru_count--;
}

static void
table_remove(struct hy_dnssec_shared *s, struct hy_dnssec_zone *z)
{
	struct hy_dnssec_zone **pp;

	if (!z->in_table)
		return;
	for (pp = &s->buckets[z->hash & (s->nbuckets - 1)]; *pp != NULL;
	    pp = &(*pp)->hnext)
		if (*pp == z) {
			*pp = z->hnext;
			break;
		}
	z->hnext = NULL;
	z->in_table = false;
	s->count--;
	lru_unlink(s, z);
}

static void
table_grow(struct hy_dnssec_shared *s)
{
	size_t nb = s->nbuckets * 2;
	struct hy_dnssec_zone **b = calloc(nb, sizeof(*b)), *z, *n;

	if (b == NULL)
		return;		/* longer chains, still correct */
	for (size_t i = 0; i < s->nbuckets; i++)
		for (z = s->buckets[i]; z != NULL; z = n) {
			n = z->hnext;
			z->hnext = b[z->hash & (nb - 1)];
			b[z->hash & (nb - 1)] = z;
		}
	free(s->buckets);
	s->buckets = b;
	s->nbuckets = nb;
}

struct hy_dnssec_zone *
hy_dnssec_zone_get(struct hy_dnssec_shared *s, const char *name,
    bool *created)
{
	uint32_t h = name_hash(name);
	struct hy_dnssec_zone *z;

	*created = false;
	for (z = s->buckets[h & (s->nbuckets - 1)]; z != NULL; z = z->hnext)
		if (z->hash == h && strcasecmp(z->info.name, name) == 0) {
			lru_unlink(s, z);
			z->refs++;
			return z;
		}
	if ((z = calloc(1, sizeof(*z))) == NULL)
		return NULL;
	if ((z->info.name = strdup(name)) == NULL) {
		free(z);
		return NULL;
	}
	z->info.status = HY_DNSSEC_INDETERMINATE;
	z->hash = h;
	z->refs = 1;
	z->shared = s;
	if (s->count >= s->nbuckets)
		table_grow(s);
	z->hnext = s->buckets[h & (s->nbuckets - 1)];
	s->buckets[h & (s->nbuckets - 1)] = z;
	z->in_table = true;
	s->count++;
	*created = true;
	return z;
}

void
hy_dnssec_zone_ref(struct hy_dnssec_zone *z)
{
	z->refs++;
}

/* Unreferenced done entries wait on the LRU list for reuse; entries out
 * of the table go at once. */
void
hy_dnssec_zone_unref(struct hy_dnssec_zone *z)
{
	struct hy_dnssec_shared *s;

	if (z == NULL || --z->refs > 0)
		return;
	s = z->shared;
	if (z->in_table && z->done) {
		z->lru_prev = s->lru_tail;
		z->lru_next = NULL;
		if (s->lru_tail)
			s->lru_tail->lru_next = z;
		else
			s->lru_head = z;
		s->lru_tail = z;
		z->in_lru = true;
		s->lru_count++;
		while (s->lru_count > CACHE_CAP) {
			struct hy_dnssec_zone *old = s->lru_head;

			table_remove(s, old);
			zone_destroy(old);
		}
		return;
	}
	if (z->in_table)
		table_remove(s, z);
	zone_destroy(z);
}

int
hy_dnssec_zone_wait(struct hy_dnssec_zone *z, struct hy_dnssec_waiter *w)
{
	w->zone = z;
	w->prev = NULL;
	w->next = z->waiters;
	if (z->waiters)
		z->waiters->prev = w;
	z->waiters = w;
	w->linked = true;
	return 0;
}

void
hy_dnssec_zone_unwait(struct hy_dnssec_waiter *w)
{
	struct hy_dnssec_zone *z = w->zone;

	if (!w->linked)
		return;
	if (w->prev)
		w->prev->next = w->next;
	else
		z->waiters = w->next;
	if (w->next)
		w->next->prev = w->prev;
	w->next = w->prev = NULL;
	w->linked = false;
}

/*
 * Mark z done and tell its waiters, one at a time: a waiter's callback
 * may free other walks, whose waiters then unlink themselves first.
 * keep=false removes the entry from the table (indeterminate results).
 * owner is the walk whose queries made the result; with retry set, other
 * waiters are told to start over on their own deadline.
 */
void
hy_dnssec_zone_finish(struct hy_dnssec_shared *s, struct hy_dnssec_zone *z,
    bool keep, const void *owner, bool retry)
{
	struct hy_dnssec_waiter *w;

	z->done = true;
	if (!keep)
		table_remove(s, z);
	z->refs++;
	while ((w = z->waiters) != NULL) {
		hy_dnssec_zone_unwait(w);
		w->fn(w->arg, z, retry && w->owner != owner);
	}
	hy_dnssec_zone_unref(z);
}
