/* A resolver plugin written in C against include/emailprof_resolver.h: proof that the
 * interface needs nothing from Rust. It answers every user id with canned attributes and
 * reports "missing" as not found. Deliberately tiny: no JSON library, ids without escapes. */
#include <stdlib.h>
#include <string.h>
#include <stdio.h>

#include "emailprof_resolver.h"

static char *dup_string(const char *s) {
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p) memcpy(p, s, n);
    return p;
}

uint32_t emailprof_resolver_abi_version(void) { return EMAILPROF_RESOLVER_ABI_VERSION; }

int32_t emailprof_resolver_info(char **info_out) {
    if (!info_out) return EMAILPROF_RESOLVER_BAD_REQUEST;
    *info_out = dup_string("{\"name\":\"c-fixture\",\"version\":\"1.0.0\",\"abi\":\"1.0\"}");
    return EMAILPROF_RESOLVER_OK;
}

int32_t emailprof_resolver_init(const char *config_json, void **state_out, char **err_out) {
    if (!config_json || !state_out) return EMAILPROF_RESOLVER_BAD_REQUEST;
    if (strstr(config_json, "\"fail\"")) {
        if (err_out) *err_out = dup_string("{\"error\":{\"code\":\"badConfig\",\"message\":\"c-fixture: told to fail\"}}");
        return EMAILPROF_RESOLVER_ERROR;
    }
    *state_out = malloc(1);
    return *state_out ? EMAILPROF_RESOLVER_OK : EMAILPROF_RESOLVER_ERROR;
}

int32_t emailprof_resolver_resolve(void *state, const char *request_json, char **response_out) {
    if (!state || !request_json || !response_out) return EMAILPROF_RESOLVER_BAD_REQUEST;
    const char *ids = strstr(request_json, "\"userIds\":[");
    if (!ids) return EMAILPROF_RESOLVER_BAD_REQUEST;
    const char *p = ids + strlen("\"userIds\":[");
    size_t cap = 64, len = 0;
    char *out = malloc(cap);
    if (!out) return EMAILPROF_RESOLVER_ERROR;
    len += (size_t)sprintf(out, "{\"results\":[");
    int first = 1;
    while (*p == '"') {
        const char *end = strchr(p + 1, '"');
        if (!end) break;
        int n = (int)(end - p - 1);
        size_t need = len + 3 * (size_t)n + 160;
        if (need > cap) {
            char *grown = realloc(out, need);
            if (!grown) { free(out); return EMAILPROF_RESOLVER_ERROR; }
            out = grown;
            cap = need;
        }
        if (!first) out[len++] = ',';
        first = 0;
        if (n == 7 && strncmp(p + 1, "missing", 7) == 0) {
            len += (size_t)sprintf(out + len,
                "{\"error\":{\"code\":\"notFound\",\"message\":\"no such user\",\"userId\":\"missing\"}}");
        } else {
            len += (size_t)sprintf(out + len,
                "{\"attributes\":{\"userId\":\"%.*s\",\"userPrincipalName\":\"%.*s@contoso.com\"}}",
                n, p + 1, n, p + 1);
        }
        p = end + 1;
        if (*p == ',') p++;
    }
    sprintf(out + len, "]}");
    *response_out = out;
    return EMAILPROF_RESOLVER_OK;
}

void emailprof_resolver_free_string(char *s) { free(s); }

void emailprof_resolver_shutdown(void *state) { free(state); }
