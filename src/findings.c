#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hygiene/catalog.h"
#include "hygiene/findings.h"
#include "hygiene/txt.h"

/* Cut msg to HY_FINDING_MSG_MAX bytes, at a character boundary, and say
 * how much went. */
static void
msg_cut(char *msg)
{
	size_t len = strlen(msg), cut = HY_FINDING_MSG_MAX;
	char more[40];
	int n;

	if (len <= HY_FINDING_MSG_MAX)
		return;
	while (cut > 0 && ((unsigned char)msg[cut] & 0xc0) == 0x80)
		cut--;
	n = snprintf(more, sizeof(more), "...(+%zu bytes)", len - cut);
	/* The marker fits where the cut bytes were. */
	if (n > 0 && (size_t)n < len - cut)
		memcpy(msg + cut, more, (size_t)n + 1);
}

int
hy_findings_add(struct hy_findings *f, const char *code, enum hy_severity sev,
    const char *fmt, ...)
{
	va_list ap;
	char *msg = NULL, *c = NULL, *safe;
	int rc = -1;

	hy_catalog_assert(code, sev);
	if (f->n == f->cap) {
		size_t ncap = f->cap ? f->cap * 2 : 4;
		struct hy_finding *nv = realloc(f->v, ncap * sizeof(*nv));

		if (nv == NULL)
			goto out;
		f->v = nv;
		f->cap = ncap;
	}
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (msg == NULL || (c = strdup(code)) == NULL)
		goto out;
	msg_cut(msg);
	/* Messages quote DNS data, which need not be UTF-8. */
	if ((safe = hy_txt_utf8(msg, strlen(msg))) == NULL)
		goto out;
	free(msg);
	msg = safe;
	f->v[f->n].code = c;
	f->v[f->n].sev = sev;
	f->v[f->n].message = msg;
	f->n++;
	c = msg = NULL;
	rc = 0;
out:
	free(c);
	free(msg);
	return rc;
}

int
hy_findings_has(const struct hy_findings *f, const char *code)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->v[i].code, code) == 0)
			return 1;
	return 0;
}

void
hy_findings_clear(struct hy_findings *f)
{
	if (f == NULL)
		return;
	for (size_t i = 0; i < f->n; i++) {
		free(f->v[i].code);
		free(f->v[i].message);
	}
	free(f->v);
	f->v = NULL;
	f->n = f->cap = 0;
}

const char *
hy_severity_str(enum hy_severity s)
{
	switch (s) {
	case HY_SEV_INFO:
		return "info";
	case HY_SEV_WARNING:
		return "warning";
	case HY_SEV_ERROR:
		return "error";
	}
	return "error";
}

json_t *
hy_findings_to_json_n(const struct hy_findings *const *fs, size_t n)
{
	json_t *arr = json_array(), *o;

	if (arr == NULL)
		return NULL;
	for (size_t k = 0; k < n; k++) {
		const struct hy_findings *f = fs[k];

		for (size_t i = 0; f != NULL && i < f->n; i++) {
			o = json_pack("{s:s, s:s, s:s}", "code", f->v[i].code,
			    "severity", hy_severity_str(f->v[i].sev),
			    "message", f->v[i].message);
			if (o == NULL || json_array_append_new(arr, o) != 0) {
				json_decref(arr);
				return NULL;
			}
		}
	}
	return arr;
}

json_t *
hy_findings_to_json(const struct hy_findings *f)
{
	return hy_findings_to_json_n(&f, 1);
}

const char *
hy_findings_json_first(const json_t *issues, enum hy_severity sev)
{
	const char *s;
	size_t i;
	json_t *f;

	json_array_foreach(issues, i, f) {
		s = json_string_value(json_object_get(f, "severity"));
		if (s != NULL && strcmp(s, hy_severity_str(sev)) == 0)
			return json_string_value(json_object_get(f, "message"));
	}
	return NULL;
}
