#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hygiene/config.h"

void
hy_config_init(struct hy_config *cfg)
{
	const char *nc = getenv("NO_COLOR");

	memset(cfg, 0, sizeof(*cfg));
	cfg->timeout_ms = HY_DEFAULT_TIMEOUT_S * 1000u;
	cfg->concurrency = HY_DEFAULT_CONCURRENCY;
	cfg->rtr = HY_DEFAULT_RTR;
	cfg->rtr_timeout_ms = HY_DEFAULT_RTR_TIMEOUT_S * 1000u;
	cfg->vrps_max_age_s = HY_DEFAULT_VRPS_MAX_AGE_H * 3600u;
	cfg->asn_service = HY_DEFAULT_ASN_SERVICE;
	cfg->asn_qps = HY_DEFAULT_ASN_QPS;
	cfg->https_port = HY_DEFAULT_HTTPS_PORT;
	cfg->now = time(NULL);
	/* https://no-color.org: any non-empty NO_COLOR disables colour. */
	cfg->color = isatty(STDOUT_FILENO) && (nc == NULL || *nc == '\0');
}

void
hy_config_free(struct hy_config *cfg)
{
	if (cfg == NULL)
		return;
	free(cfg->resolvers);
	cfg->resolvers = NULL;
	cfg->nresolvers = 0;
}
