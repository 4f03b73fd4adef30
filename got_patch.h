/* memprof: the relocation slots through which loaded ELF objects reach
 * malloc and its relatives (got_patch.c): finding them, pointing them at
 * our hooks and back, and which object an address belongs to.
 *
 * A call to malloc from a shared object goes through a slot the dynamic
 * loader filled in: a PLT jump slot, a GOT entry (the function's address
 * taken, or -fno-plt), or a data pointer initialised to it (libxml2's
 * xmlMalloc, curl's Curl_cmalloc). Writing our hook's address there is
 * what glibc >= 2.34 leaves to a profiler, now that its malloc hooks are
 * gone. */
#ifndef MEMPROF_GOT_PATCH_H
#define MEMPROF_GOT_PATCH_H

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>

/* The functions taken over, in this order everywhere. */
typedef enum {
	MP_SYM_MALLOC, MP_SYM_CALLOC, MP_SYM_REALLOC, MP_SYM_REALLOCARRAY, MP_SYM_FREE,
	MP_SYM_POSIX_MEMALIGN, MP_SYM_ALIGNED_ALLOC, MP_SYM_MEMALIGN, MP_SYM_VALLOC,
	MP_SYM_PVALLOC, MP_SYM_FREE_SIZED, MP_SYM_FREE_ALIGNED_SIZED, MP_NSYMS
} mp_sym;

#define MP_OBJ_MAX     512  /* objects told apart; those beyond are "unknown" */
#define MP_OBJ_UNKNOWN 0    /* an address in no object we know of */

/* Why an object's slots are left alone ("" = patched). */
#define MP_SKIP_NONE   ""
#define MP_SKIP_LOADER "loader"
#define MP_SKIP_VDSO   "vdso"
#define MP_SKIP_SELF   "self"

typedef struct mp_got_object {
	char *path;             /* as the loader names it; the program's from /proc/self/exe */
	uintptr_t base;         /* load bias */
	uintptr_t lo, hi;       /* what its segments span */
	const char *skip;       /* MP_SKIP_* */
	bool loaded;            /* seen by the latest walk */
	/* its slots of the functions above: patched (lazy: of which still
	 * held the object's own lazy-binding stub), foreign (held another
	 * allocator's or another tool's function: left alone), skipped (left
	 * alone for safety: see got_patch.c) */
	uint32_t patched, lazy, foreign, skipped;
} mp_got_object;

/* Whether this build can patch (Linux, x86-64 or AArch64, glibc). */
bool mp_got_supported(void);
/* libc's own functions, NULL where this libc has none (free_sized...).
 * false if libc cannot be found. */
bool mp_got_originals(void *orig[MP_NSYMS]);
/* Points the slots of every object loaded since the last walk at hooks
 * (by mp_sym). A slot is patched only when it holds libc's function or,
 * still unresolved, the object's own lazy-binding stub that would resolve
 * to it; read-only (RELRO) pages go back to read-only. Idempotent; cheap
 * when no object was loaded or unloaded since. -1 if nothing could be
 * patched (unsupported, libc not found). */
int mp_got_patch(void *const hooks[MP_NSYMS]);
/* Puts back every slot that still holds our hook, in the objects still
 * loaded, and forgets all objects. */
void mp_got_restore(void);
/* Whether a slot was ever patched: the module is then pinned in memory. */
bool mp_got_pinned(void);

/* The object that contains addr (a return address), or MP_OBJ_UNKNOWN.
 * Any thread, any time: lock-free. */
uint32_t mp_got_object_at(uintptr_t addr);

/* The last answer, for a caller to keep (per thread): most allocations
 * come from a few libraries in a row. */
typedef struct mp_got_cache {
	const void *table;      /* the range table it came from: stale once replaced */
	uintptr_t lo, hi;
	uint32_t obj;
} mp_got_cache;
uint32_t mp_got_object_at_slow(uintptr_t addr, mp_got_cache *c);
extern const void *mp_got_table; /* the current range table */

static inline uint32_t mp_got_object_cached(uintptr_t addr, mp_got_cache *c)
{
	if (addr - c->lo < c->hi - c->lo && c->table == __atomic_load_n(&mp_got_table, __ATOMIC_ACQUIRE)) {
		return c->obj;
	}
	return mp_got_object_at_slow(addr, c);
}

uint32_t mp_got_nobjects(void);
const mp_got_object *mp_got_object_get(uint32_t obj);

#endif
