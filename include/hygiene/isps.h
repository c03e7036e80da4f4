/*
 * The ISP list (datasets/jp-isps.json and --isps FILE):
 *   {"isps": [{"id", "name", "name_ja", "asns": [..], "domains": [..]}]}
 * Parsed with jansson; every problem is reported with the JSON path of
 * the bad entry ("isps[3].asns[1]: ...").
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

struct hy_isp_list {
	struct hy_isp	*v;
	size_t		 n;
};

/* 0 on success (*out set), -1 on error with a message in err. */
int	hy_isps_parse(const char *buf, size_t len, struct hy_isp_list **out,
	    char *err, size_t errlen);
int	hy_isps_load(const char *path, struct hy_isp_list **out, char *err,
	    size_t errlen);
void	hy_isps_free(struct hy_isp_list *);
/* The ISP announcing asn, or NULL. */
const struct hy_isp *hy_isps_by_asn(const struct hy_isp_list *, uint32_t asn);

#endif
