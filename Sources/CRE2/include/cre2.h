#ifndef LOOKOUT_CRE2_H
#define LOOKOUT_CRE2_H

/* A small C face on RE2 (Debian's libre2-dev) for Swift: compile, full match, and submatches.
 * RE2 runs in time linear in the input and never backtracks, as Prometheus's Go regexp. */

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cre2_regex cre2_regex;

/* Compiles `pattern` (`length` bytes, UTF-8, RE2 syntax). NULL on error, with the reason written
 * into `error` (NUL-terminated, at most `error_length` bytes). */
cre2_regex *cre2_new(const char *pattern, size_t length, char *error, size_t error_length);
void cre2_free(cre2_regex *regex);

/* Number of capture groups (not counting the whole match). */
int cre2_group_count(const cre2_regex *regex);

/* The number of the group called `name`, or -1. */
int cre2_group_index(const cre2_regex *regex, const char *name);

/* Whether the whole text matches. */
int cre2_full_match(const cre2_regex *regex, const char *text, size_t length);

/* Matches the whole text; on success writes the byte range of group 0 (the whole match) to group
 * `groups - 1` into `starts`/`ends` (-1 for a group that took no part) and returns 1; else 0. */
int cre2_full_match_groups(const cre2_regex *regex, const char *text, size_t length,
                           long *starts, long *ends, int groups);

#ifdef __cplusplus
}
#endif

#endif
