/*
 * The ISP list (datasets/jp-isps.json and --isps FILE):
 *   {"isps": [{"id", "name", "name_ja", "asns": [..], "domains": [..]}]}
 * Parsed with jansson; every problem is reported with the JSON path of
 * the bad entry ("isps[3].asns[1]: ...").
 *
 * Rules (datasets/README.md documents them for analysts):
 *   - top level: an object with "isps" (array) and optionally
 *     "schema_version" (string) and "description" (string);
 *   - an entry: "id" (1-64 of [a-z0-9-], starting with a letter or digit,
 *     unique), "name" and "name_ja" (non-empty strings), "asns" (non-empty
 *     array of integers or "ASnnn" strings, 1..4294967295, each ASN listed
 *     once in the whole file), "domains" (array of domain names, A-label
 *     or U-label, each listed once in the whole file, compared after
 *     normalisation: case, a trailing dot and U-label/A-label do not make
 *     two names), optionally "note"; any other key is an error (it is
 *     most likely a typo);
 *   - an ASN from a reserved, documentation or private-use range
 *     (RFC 6996, RFC 5398, RFC 7300, AS_TRANS) is accepted with a
 *     warning: it never originates routes on the public Internet, but
 *     test lists for the local world legitimately use such numbers.
 *     `hygiene datasets check --strict` turns warnings into errors.
 *
 * A struct hy_isp_list owns all its strings and arrays.
 */
#ifndef HYGIENE_ISPS_H
#define HYGIENE_ISPS_H

#include <stddef.h>
#include <stdint.h>

struct hy_isp {
	char		*id;
	char		*name;
	char		*name_ja;
	uint32_t	*asns;
	size_t		 nasns;
	char		**domains;	/* normalised A-labels */
	size_t		 ndomains;
};

/* Private: the ASN -> ISP index behind hy_isps_by_asn(). */
struct hy_isp_asn {
	uint32_t	 asn;
	size_t		 isp;
};

struct hy_isp_list {
	struct hy_isp	*v;
	size_t		 n;
	char		**warnings;	/* "isps[2].asns[0]: ..." lines */
	size_t		 nwarnings;
	struct hy_isp_asn *byasn;	/* sorted by asn; private */
	size_t		 nbyasn;
};

/* 0 on success (*out set), -1 on error with a message in err. */
int	hy_isps_parse(const char *buf, size_t len, struct hy_isp_list **out,
	    char *err, size_t errlen);
/* path "-" reads standard input. A file that is not JSON text
 * (compressed, binary, UTF-16) or is cut short says so in err. */
int	hy_isps_load(const char *path, struct hy_isp_list **out, char *err,
	    size_t errlen);
/*
 * As above, and once every entry is valid on its own, each problem of the
 * rules that span entries (an ASN or a domain listed twice, an id used
 * twice) is also passed to each(arg, "isps[3].asns[1]: ...") as it is
 * found, so one run names them all; err still gets the first. each may be
 * NULL.
 */
typedef void (*hy_isps_problem_fn)(void *arg, const char *msg);
int	hy_isps_parse_all(const char *buf, size_t len,
	    struct hy_isp_list **out, hy_isps_problem_fn each, void *arg,
	    char *err, size_t errlen);
int	hy_isps_load_all(const char *path, struct hy_isp_list **out,
	    hy_isps_problem_fn each, void *arg, char *err, size_t errlen);
void	hy_isps_free(struct hy_isp_list *);
/* The ISP announcing asn, or NULL. */
const struct hy_isp *hy_isps_by_asn(const struct hy_isp_list *, uint32_t asn);
/* The ISP with this id, or NULL. */
const struct hy_isp *hy_isps_by_id(const struct hy_isp_list *, const char *id);
/* Why asn is not a public ASN ("private use (RFC 6996)"), or NULL. */
const char *hy_asn_reserved(uint32_t asn);

#endif
