/*
 * `hygiene spf DOMAIN --ip IP [--sender ADDR] [--helo NAME]`: RFC 7208
 * check_host() for one client address, through the DNS engine, printing
 * the result, the explanation and why the result was reached.
 *
 * Exit status: 0 when a result was reached (whatever it is), 3 for
 * temperror (could not measure), 1 when nothing could run, 2 on usage.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "hygiene/dns.h"
#include "hygiene/check.h"
#include "hygiene/findings.h"
#include "hygiene/loop.h"
#include "hygiene/name.h"
#include "hygiene/spf.h"
#include "hygiene/txt.h"

enum { OPT_IP = 1000, OPT_SENDER, OPT_HELO };

static const struct hy_cli_opt spf_opts[] = {
	{ "ip", required_argument, OPT_IP, "IP",
	    "the client address to check (IPv4 or IPv6; required)" },
	{ "sender", required_argument, OPT_SENDER, "ADDR",
	    "MAIL FROM address (default: postmaster@DOMAIN)" },
	{ "helo", required_argument, OPT_HELO, "NAME",
	    "HELO/EHLO name for %{h} (default: DOMAIN)" },
	{ NULL, 0, 0, NULL, NULL },
};

struct spf_cmd {
	struct hy_config	 cfg;
	const char		*ip, *sender, *helo;
	struct hy_spf_eval	*ev;
	struct hy_loop		*loop;
	bool			 finished, nomem;
};

static int
spf_opt(void *ctx, int id, const char *arg)
{
	struct spf_cmd *sc = ctx;

	switch (id) {
	case OPT_IP:
		sc->ip = arg;
		break;
	case OPT_SENDER:
		sc->sender = arg;
		break;
	case OPT_HELO:
		sc->helo = arg;
		break;
	}
	return 0;
}

static void
spf_cmd_done(void *arg, struct hy_spf_eval *ev, bool nomem)
{
	struct spf_cmd *sc = arg;

	(void)ev;
	sc->finished = true;
	sc->nomem = nomem;
	/* The engine keeps timers (the group deadline) armed: stop here. */
	hy_loop_stop(sc->loop);
}

static int
spf_print_json(const struct spf_cmd *sc, const char *domain)
{
	json_t *o;
	int rc;

	/* --sender and --helo are shown as given: any byte. */
	o = json_pack("{s:s, s:s, s:s, s:o, s:o, s:s, s:o, s:s?, s:s?, "
	    "s:i, s:i, s:o?}",
	    "schema_version", HY_SCHEMA_VERSION,
	    "domain", domain, "ip", sc->ip, "sender", hy_txt_json(sc->sender),
	    "helo", hy_txt_json(sc->helo),
	    "result", hy_spf_result_str(hy_spf_eval_result(sc->ev)),
	    "explanation", hy_spf_text_json(hy_spf_eval_explanation(sc->ev)),
	    "reason", hy_spf_eval_reason(sc->ev),
	    "record", hy_spf_eval_record(sc->ev),
	    "dns_lookups", (json_int_t)hy_spf_eval_lookups(sc->ev),
	    "void_lookups", (json_int_t)hy_spf_eval_void(sc->ev),
	    "issues", hy_findings_to_json(hy_spf_eval_findings(sc->ev)));
	if (o == NULL)
		return -1;
	rc = json_dumpf(o, stdout, JSON_COMPACT);
	fputc('\n', stdout);
	json_decref(o);
	return rc;
}

/* "  label: text". DNS data (the record, the explanation) may hold any
 * byte, ESC included. */
static void
spf_print_field(const char *label, const char *text)
{
	printf("  %s: ", label);
	hy_txt_fputs(text, stdout);
	putchar('\n');
}

static void
spf_print_text(const struct spf_cmd *sc, const char *domain)
{
	const struct hy_findings *f = hy_spf_eval_findings(sc->ev);
	const char *s;

	printf("%s from %s: %s\n", domain, sc->ip,
	    hy_spf_result_str(hy_spf_eval_result(sc->ev)));
	if ((s = hy_spf_eval_explanation(sc->ev)) != NULL)
		spf_print_field("explanation", s);
	if ((s = hy_spf_eval_reason(sc->ev)) != NULL)
		spf_print_field("why", s);
	if ((s = hy_spf_eval_record(sc->ev)) != NULL)
		spf_print_field("record", s);
	printf("  DNS-querying terms: %u, void lookups: %u\n",
	    hy_spf_eval_lookups(sc->ev), hy_spf_eval_void(sc->ev));
	for (size_t i = 0; i < f->n; i++) {
		printf("  %s %s: ", hy_severity_str(f->v[i].sev),
		    f->v[i].code);
		hy_txt_fputs(f->v[i].message, stdout);
		putchar('\n');
	}
}

static int
spf_run(struct spf_cmd *sc, const struct hy_spf_params *p)
{
	struct hy_loop *loop = NULL;
	struct hy_dns *dns = NULL;
	struct hy_dns_group *grp = NULL;
	struct hy_dns_opts o;
	struct hy_dns_stats st;
	const char *err = "out of memory";
	int rc = HY_EXIT_FAIL;

	memset(&o, 0, sizeof(o));
	o.servers = sc->cfg.resolvers;
	o.nservers = sc->cfg.nresolvers;
	o.concurrency = sc->cfg.concurrency;
	o.qps = sc->cfg.qps;
	/* Three tries must fit in the deadline. */
	o.try_timeout_ms = sc->cfg.timeout_ms / 4 < 2000 ?
	    sc->cfg.timeout_ms / 4 : 2000;
	if (o.try_timeout_ms < 100)
		o.try_timeout_ms = 100;
	if ((sc->loop = loop = hy_loop_new()) == NULL ||
	    (dns = hy_dns_new(loop, &o, &err)) == NULL ||
	    (grp = hy_dns_group_new(dns, sc->cfg.timeout_ms)) == NULL ||
	    (sc->ev = hy_spf_eval_new(p)) == NULL ||
	    hy_spf_run(loop, grp, sc->ev, spf_cmd_done, sc) != 0) {
		hy_cli_error("spf", "%s", err);
		goto out;
	}
	if (hy_loop_run(loop) != 0 || !sc->finished || sc->nomem) {
		hy_cli_error("spf", "%s", sc->nomem ?
		    "out of memory" : "event loop failed");
		goto out;
	}
	hy_dns_get_stats(dns, &st);
	if (st.sent > 0 && st.answers == 0) {
		hy_cli_error("spf", "no answer from the resolver (%s) "
		    "within the deadline; check --resolver and the network",
		    hy_dns_servers(dns));
		goto out;
	}
	if (sc->cfg.json) {
		if (spf_print_json(sc, p->domain) != 0) {
			hy_cli_error("spf", "cannot write output");
			goto out;
		}
	} else
		spf_print_text(sc, p->domain);
	rc = hy_spf_eval_result(sc->ev) == HY_SPF_TEMPERROR ?
	    HY_EXIT_INCOMPLETE : HY_EXIT_OK;
out:
	hy_spf_eval_free(sc->ev);
	sc->ev = NULL;
	hy_dns_group_free(grp);
	hy_dns_free(dns);
	hy_loop_free(loop);
	return rc;
}

int
cmd_spf(int argc, char **argv)
{
	struct spf_cmd sc;
	struct hy_spf_params p;
	enum hy_name_error ne;
	char *domain = NULL, *udomain = NULL, *sender = NULL;
	int first, rc = HY_EXIT_USAGE;

	memset(&sc, 0, sizeof(sc));
	memset(&p, 0, sizeof(p));
	hy_config_init(&sc.cfg);
	first = hy_cli_parse(argc, argv, "spf", &sc.cfg, spf_opts, spf_opt,
	    &sc);
	if (first < 0) {
		rc = first == -2 ? HY_EXIT_OK : HY_EXIT_USAGE;
		goto out;
	}
	if (argc - first != 1) {
		hy_cli_usage_error("spf", "expected exactly one DOMAIN");
		goto out;
	}
	if (sc.ip == NULL || hy_spf_ip_parse(sc.ip, &p.ip) != 0) {
		hy_cli_usage_error("spf", sc.ip == NULL ? "--ip is required" :
		    "--ip: not an IPv4 or IPv6 address: '%s'", sc.ip);
		goto out;
	}
	if ((ne = hy_name_normalize(argv[first], &domain, &udomain)) !=
	    HY_NAME_OK) {
		hy_cli_usage_error("spf", "%s: %s", argv[first],
		    hy_name_error_str(ne));
		goto out;
	}
	if (sc.sender == NULL) {
		if (asprintf(&sender, "postmaster@%s", domain) < 0) {
			sender = NULL;
			rc = HY_EXIT_FAIL;
			goto out;
		}
		sc.sender = sender;
	}
	if (sc.helo == NULL)
		sc.helo = domain;
	p.mode = HY_SPF_EVALUATE;
	p.domain = domain;
	p.sender = sc.sender;
	p.helo = sc.helo;
	p.now = sc.cfg.now;
	rc = spf_run(&sc, &p);
out:
	free(domain);
	free(udomain);
	free(sender);
	hy_config_free(&sc.cfg);
	return rc;
}
