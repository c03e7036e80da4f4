/*
 * The findings catalogue's lookups, and its run-time check: in a build
 * without NDEBUG, emitting a code the catalogue lacks aborts and says
 * what to add (checked in a child process).
 */
#include <sys/wait.h>

#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "hygiene/catalog.h"
#include "hygiene/findings.h"

static void
test_lookup(void **state)
{
	const struct hy_catalog_entry *e;

	(void)state;
	assert_non_null(e = hy_catalog_find("spf", "plus-all"));
	assert_string_equal(e->probe, "spf");
	assert_int_equal(e->severities, HY_CAT_ERROR);
	assert_non_null(hy_catalog_find("dmarc", "dns-error"));
	assert_non_null(hy_catalog_find("tls_rpt", "dns-error"));
	assert_null(hy_catalog_find("spf", "dns-error"));
	assert_null(hy_catalog_find("dnssec", "no-such-code"));
	assert_true(hy_catalog_known("nsec3-iterations", HY_SEV_WARNING));
	assert_true(hy_catalog_known("nsec3-iterations", HY_SEV_ERROR));
	assert_false(hy_catalog_known("nsec3-iterations", HY_SEV_INFO));
	assert_false(hy_catalog_known("no-such-code", HY_SEV_ERROR));
	assert_string_equal(hy_catalog_severities_str(HY_CAT_WARNING |
	    HY_CAT_ERROR, false), "warning / error");
	assert_string_equal(hy_catalog_severities_str(HY_CAT_INFO, true),
	    "情報");
	for (size_t i = 0; i < hy_catalog_len; i++)
		assert_ptr_equal(hy_catalog_find(hy_catalog[i].section,
		    hy_catalog[i].code), &hy_catalog[i]);
}

/* hy_findings_add(code, sev) in a child: its exit status and the start
 * of what it wrote to stderr. */
static int
add_in_child(const char *code, enum hy_severity sev, char *err, size_t len)
{
	int fds[2], status;
	ssize_t n;
	pid_t pid;

	assert_int_equal(pipe(fds), 0);
	if ((pid = fork()) == 0) {
		struct hy_findings f = { 0 };

		dup2(fds[1], STDERR_FILENO);
		signal(SIGABRT, SIG_DFL);
		(void)hy_findings_add(&f, code, sev, "m");
		hy_findings_clear(&f);
		_exit(0);
	}
	close(fds[1]);
	n = read(fds[0], err, len - 1);
	err[n > 0 ? n : 0] = '\0';
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

static void
test_runtime_check(void **state)
{
	char err[1024];
	int st;

	(void)state;
	st = add_in_child("plus-all", HY_SEV_ERROR, err, sizeof(err));
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
#ifdef NDEBUG
	st = add_in_child("no-such-code", HY_SEV_ERROR, err, sizeof(err));
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
#else
	st = add_in_child("no-such-code", HY_SEV_ERROR, err, sizeof(err));
	assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT);
	assert_non_null(strstr(err, "\"no-such-code\""));
	assert_non_null(strstr(err, "src/catalog.c"));
	/* A known code with a severity its row does not list. */
	st = add_in_child("plus-all", HY_SEV_INFO, err, sizeof(err));
	assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT);
	assert_non_null(strstr(err, "severity info"));
#endif
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_runtime_check),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
