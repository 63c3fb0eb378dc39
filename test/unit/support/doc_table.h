/* SPDX-License-Identifier: MIT */
/*
 * Tables in docs/ that a host test generates: the text between a begin
 * and an end marker in a file of the source tree ($MICA_SRC, or the
 * current directory) must be exactly what the test prints.
 */
#ifndef MICA_TEST_UNIT_SUPPORT_DOC_TABLE_H
#define MICA_TEST_UNIT_SUPPORT_DOC_TABLE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 1 if file (relative to the source tree) holds want between the lines
 * begin and end; 0 with *why set otherwise. */
static inline int doc_table_matches(const char *file, const char *begin,
				    const char *end, const char *want,
				    const char **why)
{
	static char text[262144];
	const char *src = getenv("MICA_SRC");
	char path[512], head[256];
	size_t n, wn = strlen(want);
	FILE *fp;
	char *b, *e;

	snprintf(path, sizeof(path), "%s/%s", src && *src ? src : ".", file);
	fp = fopen(path, "r");
	if (!fp) {
		*why = "cannot open it (run from the source tree or set "
		       "MICA_SRC)";
		return 0;
	}
	n = fread(text, 1, sizeof(text) - 1, fp);
	fclose(fp);
	text[n] = 0;
	snprintf(head, sizeof(head), "%s\n", begin);
	b = strstr(text, head);
	e = b ? strstr(b, end) : NULL;
	if (!b || !e) {
		*why = "it has no generated table";
		return 0;
	}
	b += strlen(head);
	if ((size_t)(e - b) != wn || memcmp(b, want, wn)) {
		*why = "its table differs";
		return 0;
	}
	return 1;
}

#endif /* MICA_TEST_UNIT_SUPPORT_DOC_TABLE_H */
