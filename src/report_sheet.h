/* The remediation sheet's document model, shared by its HTML
 * (report_sheet.c) and xlsx (report_xlsx.c) writers. */
#ifndef HYGIENE_REPORT_SHEET_H
#define HYGIENE_REPORT_SHEET_H

#include <jansson.h>

#include "hygiene/report.h"

/*
 * {"title", "id", "lang", "intro", "facts": [[label, value]],
 *  "rpki_note"?,
 *  "sections": [{"id", "title", "intro", "empty", "columns": [..],
 *  "rows": [[string or integer, ..]]}]}. New reference; NULL with err
 * for an ISP the survey does not have, or OOM.
 */
json_t	*hy_sheet_build(const struct hy_report_in *, const char *isp_id,
	    enum hy_report_lang, char *err, size_t errlen);

#endif
