/*
 * emailprof_resolver.h: the C interface of emailprof attribute-resolver plugins (ABI 1.1).
 *
 * A plugin is a shared library exporting the six required functions below, and optionally
 * (since ABI 1.1) the three emailprof_resolver_list_* functions that list its users. emailprof loads it only by
 * explicit path, reads emailprof_resolver_abi_version() before any other symbol, and never
 * unloads it. Rust plugins get all of this from resolver-sdk's declare_resolver! macro.
 *
 * Strings: every string crossing the boundary is NUL-terminated UTF-8 JSON. The JSON Schemas
 * of the messages are in schemas/resolver-*.schema.json.
 *
 * Ownership:
 *  - Strings passed IN (config_json, request_json) belong to the host and are valid only
 *    during the call. Copy what you keep.
 *  - Strings passed OUT (*info_out, *err_out, *response_out) are allocated by the plugin and
 *    belong to the host, which releases each one exactly once with
 *    emailprof_resolver_free_string(). Allocate them with the allocator your free_string uses:
 *    the host never calls free() on them.
 *  - The state (*state_out) belongs to the plugin. The host passes it to resolve() and passes
 *    it to shutdown() exactly once, after which it is not used.
 *  - A listing cursor (*cursor_out) belongs to the plugin. The host passes it to list_next()
 *    and to list_close() exactly once, always before shutdown() of the state it came from.
 *
 * Threads: the host calls into one state from one thread at a time (it holds a lock), though
 * not always the same thread.
 *
 * Errors: no function may unwind or throw across the boundary (a Rust panic escaping an
 * extern "C" function aborts the process). Catch it and return EMAILPROF_RESOLVER_PANIC.
 * When a function returns anything but EMAILPROF_RESOLVER_OK, its out string is either NULL
 * or an error object:
 *     {"error": {"code": "badConfig", "message": "..."}}
 * where code is one of notFound, ambiguous, failed, badConfig, badRequest, panic, unsupported. Messages
 * are shown to people, so they must never contain secrets such as passwords.
 */
#ifndef EMAILPROF_RESOLVER_H
#define EMAILPROF_RESOLVER_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ABI version packed as (major << 16) | minor. The host requires an equal major. */
#define EMAILPROF_RESOLVER_ABI_MAJOR 1
#define EMAILPROF_RESOLVER_ABI_MINOR 1
#define EMAILPROF_RESOLVER_ABI_VERSION \
    ((uint32_t)((EMAILPROF_RESOLVER_ABI_MAJOR << 16) | EMAILPROF_RESOLVER_ABI_MINOR))

/* Return codes. */
#define EMAILPROF_RESOLVER_OK 0             /* success; the out string holds the result       */
#define EMAILPROF_RESOLVER_ERROR 1          /* the resolver failed as a whole (config, I/O)  */
#define EMAILPROF_RESOLVER_PANIC 2          /* the plugin caught a panic or exception        */
#define EMAILPROF_RESOLVER_BAD_REQUEST 3    /* NULL pointer, not UTF-8, or not the JSON shape */
#define EMAILPROF_RESOLVER_UNSUPPORTED 4    /* (1.1) the plugin does not do this optional call */

/* Returns EMAILPROF_RESOLVER_ABI_VERSION as the plugin was built. Must not allocate or fail. */
uint32_t emailprof_resolver_abi_version(void);

/*
 * Writes plugin information to *info_out:
 *     {"name": "ldap", "version": "1.2.0", "abi": "1.1"}
 */
int32_t emailprof_resolver_info(char **info_out);

/*
 * Creates a resolver from config_json (a JSON object whose shape the plugin defines). On
 * success it writes an opaque state to *state_out and leaves *err_out unset. On failure it
 * writes an error object to *err_out (code badConfig for a configuration the plugin rejects).
 */
int32_t emailprof_resolver_init(const char *config_json, void **state_out, char **err_out);

/*
 * Resolves a batch of users. request_json:
 *     {"abi": "1.1", "userIds": ["user1", "user2"]}
 * On success *response_out holds one result per user id, in order:
 *     {"results": [
 *        {"attributes": {"userId": "user1", "userPrincipalName": "user1@contoso.com",
 *                        "primarySmtpAddress": "user1@contoso.com", "samAccountName": "user1",
 *                        "domainFqdn": "contoso.com", "netbiosName": "CONTOSO"}},
 *        {"error": {"code": "notFound", "message": "...", "userId": "user2"}}
 *     ]}
 * Attributes the directory lacks are omitted. A per-user failure is a result, not a return
 * code. The return code is for failures of the whole call.
 */
int32_t emailprof_resolver_resolve(void *state, const char *request_json, char **response_out);

/*
 * Optional, ABI 1.1: listing users, so that `emailprof batch --resolver PLUGIN` without a list
 * of user ids emits for every user the plugin's configuration selects. Export all three or
 * none; without them (or when list_open returns EMAILPROF_RESOLVER_UNSUPPORTED with code
 * unsupported) the host tells the user to give --users FILE instead.
 *
 * list_open starts a listing. request_json:
 *     {"abi": "1.1"}
 * On success it writes an opaque cursor to *cursor_out. Each list_next writes the next batch:
 *     {"users": [{"attributes": {"userId": "user1", ...}},
 *                {"error": {"code": "failed", "message": "...", "userId": "user2"}}],
 *      "done": false}
 * userId is the id resolve() would find the user by. A batch with "done": true is the last
 * (it may carry users). Keep batches small (hundreds of users): the host holds one at a time,
 * so its memory stays flat however large the directory.
 *
 * A listing that cannot complete (the directory went away, a server size limit, a page that
 * failed) must make list_next return EMAILPROF_RESOLVER_ERROR with an error object: the host
 * fails the run rather than take a short listing for a complete one.
 *
 * The host calls list_next and list_close under the same lock as resolve, and closes every
 * cursor (also an unfinished one) before shutting the state down.
 */
int32_t emailprof_resolver_list_open(void *state, const char *request_json, void **cursor_out,
                                     char **err_out);
int32_t emailprof_resolver_list_next(void *cursor, char **batch_out);
void emailprof_resolver_list_close(void *cursor);

/* Frees a string this plugin returned. NULL is allowed. */
void emailprof_resolver_free_string(char *s);

/* Frees the state created by init. NULL is allowed. The library itself stays loaded. */
void emailprof_resolver_shutdown(void *state);

#ifdef __cplusplus
}
#endif

#endif /* EMAILPROF_RESOLVER_H */
