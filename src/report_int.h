/*
 * Internal to the reports (report.c, report_rov.c): the sections kept in
 * files of their own, and the escapers they share with report.c.
 */
#ifndef HYGIENE_REPORT_INT_H
#define HYGIENE_REPORT_INT_H

#include <stdio.h>

#include <jansson.h>

#include "hygiene/report.h"

/* Markdown-escape s (report.c's escaper). */
int	hy_report_md_escape(FILE *, const char *);

/* The ROV enforcement section from stats.json's isps[].rpki.rov; writes
 * nothing when no ISP has one. 0, or -1 on a write error / OOM. */
int	hy_report_rov_html(FILE *, const json_t *stats, enum hy_report_lang);
int	hy_report_rov_md(FILE *, const json_t *stats, enum hy_report_lang);
int	hy_report_rov_csv(FILE *, const json_t *stats);

#endif
