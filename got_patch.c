/* memprof: finding and patching the relocation slots of malloc and its
 * relatives in every loaded ELF object (see got_patch.h).
 *
 * Every relocation of the kinds that can hold a function's address is
 * looked at: jump slots (PLT), GLOB_DAT (address taken, -fno-plt) and
 * absolute 64-bit data words. Patching the jump slots alone misses most
 * allocations: libxml2 and curl call through data pointers initialised to
 * malloc, and the PHP binary frees through GLOB_DAT.
 *
 * What is left alone, and why:
 *  - the dynamic loader, the vDSO and this module: the loader allocates
 *    for itself through pointers of its own; the module's own allocations
 *    are its bookkeeping;
 *  - slots holding anything but libc's function (foreign): another
 *    allocator (LD_PRELOAD of jemalloc: RTLD_DEEPBIND then leaves two
 *    mallocs in one process) or another tool's hook. Ours must only ever
 *    sit where a block would reach libc's malloc and free anyway;
 *  - lazy-binding stubs that might not resolve to libc (an allocator
 *    interposed in the global scope, or in the object's own scope);
 *  - slots outside the object's writable segments, or with an addend.
 * Walks run on the PHP thread only (startup, profile start); the table of
 * address ranges that the hooks read from any thread is replaced, never
 * changed in place. */
#ifndef _GNU_SOURCE
# define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <limits.h>
#include <link.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <unistd.h>
#ifdef __GLIBC__
# include <gnu/lib-names.h>
#endif
#include "got_patch.h"

#if defined(__linux__) && defined(__GLIBC__) && defined(__x86_64__)
# define MP_GOT_ON 1
# define R_JUMP_SLOT R_X86_64_JUMP_SLOT
# define R_GLOB_DAT  R_X86_64_GLOB_DAT
# define R_ABS64     R_X86_64_64
#elif defined(__linux__) && defined(__GLIBC__) && defined(__aarch64__)
# define MP_GOT_ON 1
# define R_JUMP_SLOT R_AARCH64_JUMP_SLOT
# define R_GLOB_DAT  R_AARCH64_GLOB_DAT
# define R_ABS64     R_AARCH64_ABS64
#else
# define MP_GOT_ON 0
#endif

static const char *const sym_names[MP_NSYMS] = {
	"malloc", "calloc", "realloc", "reallocarray", "free", "posix_memalign",
	"aligned_alloc", "memalign", "valloc", "pvalloc", "free_sized", "free_aligned_sized",
};

bool mp_got_supported(void)
{
	return MP_GOT_ON;
}

#if MP_GOT_ON

/* ---- what a slot may hold ----------------------------------------------- */

static bool resolved;
static void *libc_fn[MP_NSYMS];     /* libc's own */
static void *equiv_fn[MP_NSYMS];    /* valgrind's replacement, which it redirects libc's to as well */
static bool lazy_ok[MP_NSYMS];      /* the global scope resolves the name to one of those */

static bool is_original(int s, uintptr_t v)
{
	return v && (v == (uintptr_t)libc_fn[s] || v == (uintptr_t)equiv_fn[s]);
}

/* Under valgrind the process's malloc is its preloaded replacement, and
 * calls to libc's are redirected to that same one: both are "libc's". Any
 * other preloaded allocator is foreign. */
static bool is_valgrind(const void *fn)
{
	Dl_info di;
	return fn && dladdr(fn, &di) && di.dli_fname && strstr(di.dli_fname, "/vgpreload_") != NULL;
}

static bool resolve(void)
{
	if (resolved) {
		return true;
	}
	void *libc = dlopen(LIBC_SO, RTLD_LAZY | RTLD_NOLOAD);
	void *global = dlopen(NULL, RTLD_LAZY);
	if (!libc || !global) {
		return false;
	}
	for (int s = 0; s < MP_NSYMS; s++) {
		libc_fn[s] = dlsym(libc, sym_names[s]);
		/* the program's handle searches the global scope, preloads first
		 * (RTLD_DEFAULT would search ours: we are loaded with DEEPBIND) */
		void *g = dlsym(global, sym_names[s]);
		equiv_fn[s] = g != libc_fn[s] && is_valgrind(g) ? g : NULL;
		lazy_ok[s] = is_original(s, (uintptr_t)g);
	}
	dlclose(libc);
	dlclose(global);
	resolved = libc_fn[MP_SYM_MALLOC] && libc_fn[MP_SYM_FREE] && libc_fn[MP_SYM_REALLOC] && libc_fn[MP_SYM_CALLOC];
	return resolved;
}

bool mp_got_originals(void *orig[MP_NSYMS])
{
	if (!resolve()) {
		return false;
	}
	memcpy(orig, libc_fn, sizeof(libc_fn));
	return true;
}

/* ---- objects ------------------------------------------------------------ */

static mp_got_object objs[MP_OBJ_MAX];   /* [0]: unknown */
static uint32_t nobjs = 1;

typedef struct range {
	uintptr_t lo, hi;
	uint32_t obj;
} range;
typedef struct ranges {
	uint32_t n;
	struct ranges *retired;  /* the table this one replaced: never freed, a
	                            thread in a hook may be reading it (small) */
	range r[];
} ranges;
static ranges *cur_ranges;
const void *mp_got_table;   /* == cur_ranges, for mp_got_object_cached() */

/* What the loader reported for one object: collected first, examined
 * after dl_iterate_phdr returns (it holds the loader's lock meanwhile). */
typedef struct seen {
	const char *name;
	uintptr_t base;
	const ElfW(Phdr) *phdr;
	ElfW(Half) phnum;
} seen;
typedef struct walk {
	seen *v;
	uint32_t n, cap;
	unsigned long long adds, subs;
	bool failed;
} walk;

static unsigned long long last_adds, last_subs;
static bool walked;

static int collect(struct dl_phdr_info *info, size_t size, void *data)
{
	walk *w = data;
	if (size >= offsetof(struct dl_phdr_info, dlpi_subs) + sizeof(info->dlpi_subs)) {
		w->adds = info->dlpi_adds;
		w->subs = info->dlpi_subs;
	}
	if (w->n == w->cap) {
		uint32_t cap = w->cap ? w->cap * 2 : 64;
		seen *v = realloc(w->v, cap * sizeof(*v));
		if (!v) {
			w->failed = true;
			return 1;
		}
		w->v = v;
		w->cap = cap;
	}
	w->v[w->n++] = (seen){info->dlpi_name, info->dlpi_addr, info->dlpi_phdr, info->dlpi_phnum};
	return 0;
}

static bool collect_all(walk *w)
{
	memset(w, 0, sizeof(*w));
	dl_iterate_phdr(collect, w);
	return !w->failed;
}

static void span(const seen *o, uintptr_t *lo, uintptr_t *hi)
{
	*lo = UINTPTR_MAX;
	*hi = 0;
	for (ElfW(Half) i = 0; i < o->phnum; i++) {
		const ElfW(Phdr) *p = &o->phdr[i];
		if (p->p_type == PT_LOAD) {
			uintptr_t a = o->base + p->p_vaddr;
			*lo = a < *lo ? a : *lo;
			*hi = a + p->p_memsz > *hi ? a + p->p_memsz : *hi;
		}
	}
}

/* Not strdup(): libc's allocates with the process's malloc, which is not
 * the free() we are bound to when an allocator is preloaded. */
static char *copy(const char *s)
{
	size_t n = strlen(s) + 1;
	char *c = malloc(n);
	return c ? memcpy(c, s, n) : NULL;
}

static char *object_path(const seen *o, bool first)
{
	if (o->name && *o->name) {
		return copy(o->name);
	}
	if (!first) {
		return copy("?");
	}
	/* the program itself has no name in the list */
	char buf[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
	if (n <= 0) {
		return copy("php");
	}
	buf[n] = '\0';
	return copy(buf);
}

static const char *skip_reason(const seen *o, uintptr_t lo, uintptr_t hi)
{
	uintptr_t self = (uintptr_t)&mp_got_patch;
	uintptr_t vdso = getauxval(AT_SYSINFO_EHDR);
	if (self >= lo && self < hi) {
		return MP_SKIP_SELF;
	}
	if ((vdso && vdso >= lo && vdso < hi) || (o->name && strncmp(o->name, "linux-vdso", 10) == 0)) {
		return MP_SKIP_VDSO;
	}
	if (o->base == getauxval(AT_BASE) || (o->name && (strstr(o->name, "/ld-linux") || strstr(o->name, "/ld-musl")))) {
		return MP_SKIP_LOADER;
	}
	return MP_SKIP_NONE;
}

static uint32_t object_find(const char *name, uintptr_t base)
{
	for (uint32_t i = 1; i < nobjs; i++) {
		if (objs[i].loaded && objs[i].base == base && strcmp(objs[i].path ? objs[i].path : "", name) == 0) {
			return i;
		}
	}
	return MP_OBJ_UNKNOWN;
}

/* ---- slots -------------------------------------------------------------- */

typedef struct slot_rec {
	uintptr_t *slot;
	uintptr_t orig;         /* what it held: put back at restore */
	uintptr_t hook;
} slot_rec;
static slot_rec *recs;
static uint32_t nrecs, cap_recs;
static bool pinned;

static uintptr_t dyn_ptr(uintptr_t v, uintptr_t base)
{
	/* glibc relocates these in place; other loaders (musl) leave offsets */
	return v < base ? v + base : v;
}

static int sym_index(const char *name)
{
	switch (name[0]) {
		case 'm': case 'c': case 'r': case 'f': case 'p': case 'a': case 'v':
			break;
		default:
			return -1;
	}
	for (int s = 0; s < MP_NSYMS; s++) {
		if (strcmp(name, sym_names[s]) == 0) {
			return s;
		}
	}
	return -1;
}

/* An object's writable segments, and the part of them made read-only
 * after relocation (RELRO, as the loader rounds it: whole pages). */
typedef struct layout {
	uintptr_t w_lo[4], w_hi[4];
	int nw;
	uintptr_t relro_lo, relro_hi;
	const ElfW(Dyn) *dyn;
} layout;

static void layout_of(const seen *o, layout *l)
{
	memset(l, 0, sizeof(*l));
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	for (ElfW(Half) i = 0; i < o->phnum; i++) {
		const ElfW(Phdr) *p = &o->phdr[i];
		uintptr_t a = o->base + p->p_vaddr;
		if (p->p_type == PT_LOAD && (p->p_flags & PF_W) && l->nw < 4) {
			l->w_lo[l->nw] = a;
			l->w_hi[l->nw++] = a + p->p_memsz;
		} else if (p->p_type == PT_GNU_RELRO) {
			l->relro_lo = a & ~(page - 1);
			l->relro_hi = (a + p->p_memsz) & ~(page - 1);
		} else if (p->p_type == PT_DYNAMIC) {
			l->dyn = (const ElfW(Dyn) *)a;
		}
	}
}

static bool in_writable(const layout *l, uintptr_t a)
{
	for (int i = 0; i < l->nw; i++) {
		if (a >= l->w_lo[i] && a + sizeof(uintptr_t) <= l->w_hi[i]) {
			return true;
		}
	}
	return false;
}

static bool in_relro(const layout *l, uintptr_t a)
{
	return a >= l->relro_lo && a < l->relro_hi;
}

/* Writes slots, lifting RELRO for the time it takes. */
static bool write_slots(const layout *l, uintptr_t *const *slots, const uintptr_t *vals, uint32_t n)
{
	bool relro = false;
	for (uint32_t i = 0; i < n; i++) {
		relro |= in_relro(l, (uintptr_t)slots[i]);
	}
	if (relro && mprotect((void *)l->relro_lo, l->relro_hi - l->relro_lo, PROT_READ | PROT_WRITE) != 0) {
		return false;
	}
	for (uint32_t i = 0; i < n; i++) {
		/* one aligned store: a thread calling through it sees the old or the new */
		__atomic_store_n(slots[i], vals[i], __ATOMIC_RELEASE);
	}
	if (relro) {
		mprotect((void *)l->relro_lo, l->relro_hi - l->relro_lo, PROT_READ);
	}
	return true;
}

/* Whether an unresolved jump slot of object o for symbol s would resolve
 * to libc's: the global scope says so (resolve) and so does the object's
 * own (RTLD_DEEPBIND objects look there first). Asked once per object and
 * symbol in a walk (verdict: -1 not asked yet). */
static bool lazy_resolves_to_libc(const seen *o, bool first, int s, int8_t verdict[MP_NSYMS])
{
	if (verdict[s] < 0) {
		verdict[s] = 0;
		void *h = lazy_ok[s] ? dlopen(first ? NULL : o->name, RTLD_LAZY | RTLD_NOLOAD) : NULL;
		if (h) {
			verdict[s] = is_original(s, (uintptr_t)dlsym(h, sym_names[s]));
			dlclose(h);
		}
	}
	return verdict[s] == 1;
}

static bool recs_reserve(uint32_t more)
{
	if (nrecs + more <= cap_recs) {
		return true;
	}
	uint32_t cap = cap_recs ? cap_recs : 256;
	while (cap < nrecs + more) {
		cap *= 2;
	}
	slot_rec *r = realloc(recs, cap * sizeof(*r));
	if (!r) {
		return false;
	}
	recs = r;
	cap_recs = cap;
	return true;
}

/* The candidates of one relocation table. */
typedef struct cand {
	uintptr_t *slot;
	uintptr_t val;
	int sym;
	bool lazy;
} cand;
typedef struct cands {
	cand *v;
	uint32_t n, cap;
	int8_t verdict[MP_NSYMS];
} cands;

static void scan_relocs(const seen *o, bool first, mp_got_object *obj, const layout *l,
		const ElfW(Rela) *rel, size_t count, const ElfW(Sym) *symtab, const char *strtab,
		void *const hooks[MP_NSYMS], cands *c)
{
	for (size_t i = 0; i < count; i++) {
		const ElfW(Rela) *r = &rel[i];
		unsigned type = (unsigned)ELF64_R_TYPE(r->r_info);
		if (type != R_JUMP_SLOT && type != R_GLOB_DAT && type != R_ABS64) {
			continue;
		}
		size_t si = ELF64_R_SYM(r->r_info);
		if (si == 0) {
			continue;
		}
		int s = sym_index(strtab + symtab[si].st_name);
		if (s < 0 || !libc_fn[s]) {
			continue;
		}
		uintptr_t *slot = (uintptr_t *)(o->base + r->r_offset);
		if (r->r_addend != 0 || !in_writable(l, (uintptr_t)slot)) {
			obj->skipped++;
			continue;
		}
		uintptr_t v = __atomic_load_n(slot, __ATOMIC_RELAXED);
		bool lazy = false;
		if (v == (uintptr_t)hooks[s]) {
			continue; /* ours already: counted when patched */
		}
		if (!is_original(s, v)) {
			if (type == R_JUMP_SLOT && v >= obj->lo && v < obj->hi) {
				if (!lazy_resolves_to_libc(o, first, s, c->verdict)) {
					obj->skipped++;
					continue;
				}
				lazy = true;
			} else {
				obj->foreign++;
				continue;
			}
		}
		if (c->n == c->cap) {
			uint32_t cap = c->cap ? c->cap * 2 : 32;
			cand *n = realloc(c->v, cap * sizeof(cand));
			if (!n) {
				obj->skipped++;
				continue;
			}
			c->v = n;
			c->cap = cap;
		}
		c->v[c->n++] = (cand){slot, v, s, lazy};
	}
}

static void patch_object(const seen *o, bool first, mp_got_object *obj, void *const hooks[MP_NSYMS])
{
	layout l;
	layout_of(o, &l);
	if (!l.dyn) {
		return;
	}
	const ElfW(Sym) *symtab = NULL;
	const char *strtab = NULL;
	const ElfW(Rela) *rela = NULL, *jmprel = NULL;
	size_t relasz = 0, pltrelsz = 0;
	ElfW(Sxword) pltrel = DT_RELA;
	for (const ElfW(Dyn) *d = l.dyn; d->d_tag != DT_NULL; d++) {
		switch (d->d_tag) {
			case DT_SYMTAB:   symtab = (const ElfW(Sym) *)dyn_ptr(d->d_un.d_ptr, o->base); break;
			case DT_STRTAB:   strtab = (const char *)dyn_ptr(d->d_un.d_ptr, o->base); break;
			case DT_RELA:     rela = (const ElfW(Rela) *)dyn_ptr(d->d_un.d_ptr, o->base); break;
			case DT_RELASZ:   relasz = d->d_un.d_val; break;
			case DT_JMPREL:   jmprel = (const ElfW(Rela) *)dyn_ptr(d->d_un.d_ptr, o->base); break;
			case DT_PLTRELSZ: pltrelsz = d->d_un.d_val; break;
			case DT_PLTREL:   pltrel = (ElfW(Sxword))d->d_un.d_val; break;
		}
	}
	if (!symtab || !strtab) {
		return;
	}
	cands c;
	memset(&c, 0, sizeof(c));
	memset(c.verdict, -1, sizeof(c.verdict));
	if (rela) {
		scan_relocs(o, first, obj, &l, rela, relasz / sizeof(ElfW(Rela)), symtab, strtab, hooks, &c);
	}
	if (jmprel && pltrel == DT_RELA) {
		scan_relocs(o, first, obj, &l, jmprel, pltrelsz / sizeof(ElfW(Rela)), symtab, strtab, hooks, &c);
	}
	if (c.n == 0) {
		free(c.v);
		return;
	}
	uintptr_t **slots = malloc(c.n * sizeof(*slots));
	uintptr_t *vals = malloc(c.n * sizeof(*vals));
	bool room = slots && vals && recs_reserve(c.n);
	uint32_t lazy = 0;
	for (uint32_t i = 0; room && i < c.n; i++) {
		slots[i] = c.v[i].slot;
		vals[i] = (uintptr_t)hooks[c.v[i].sym];
		lazy += c.v[i].lazy;
		/* recorded before written: restore knows every slot we wrote */
		recs[nrecs + i] = (slot_rec){c.v[i].slot, c.v[i].val, vals[i]};
	}
	if (room && write_slots(&l, slots, vals, c.n)) {
		nrecs += c.n;
		obj->patched += c.n;
		obj->lazy += lazy;
	} else {
		obj->skipped += c.n; /* out of memory, or RELRO could not be lifted */
	}
	free(slots);
	free(vals);
	free(c.v);
}

/* ---- ranges ------------------------------------------------------------- */

static int range_cmp(const void *a, const void *b)
{
	const range *x = a, *y = b;
	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

static void ranges_publish(void)
{
	uint32_t n = 0;
	for (uint32_t i = 1; i < nobjs; i++) {
		n += objs[i].loaded;
	}
	ranges *t = malloc(sizeof(ranges) + n * sizeof(range));
	if (!t) {
		return; /* the old table stays: some names may be wrong */
	}
	t->n = 0;
	for (uint32_t i = 1; i < nobjs; i++) {
		if (objs[i].loaded) {
			t->r[t->n++] = (range){objs[i].lo, objs[i].hi, i};
		}
	}
	qsort(t->r, t->n, sizeof(range), range_cmp);
	/* readers on other threads may still be in the old one: keep it */
	t->retired = cur_ranges;
	__atomic_store_n(&cur_ranges, t, __ATOMIC_RELEASE);
	__atomic_store_n(&mp_got_table, (const void *)t, __ATOMIC_RELEASE);
}

/* The range of t that contains a, or NULL. */
static const range *range_of(const ranges *t, uintptr_t a)
{
	uint32_t lo = 0, hi = t ? t->n : 0;
	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;
		if (a < t->r[mid].lo) {
			hi = mid;
		} else if (a >= t->r[mid].hi) {
			lo = mid + 1;
		} else {
			return &t->r[mid];
		}
	}
	return NULL;
}

uint32_t mp_got_object_at(uintptr_t a)
{
	const range *r = range_of(__atomic_load_n(&cur_ranges, __ATOMIC_ACQUIRE), a);
	return r ? r->obj : MP_OBJ_UNKNOWN;
}

uint32_t mp_got_object_at_slow(uintptr_t a, mp_got_cache *c)
{
	const ranges *t = __atomic_load_n(&cur_ranges, __ATOMIC_ACQUIRE);
	const range *r = range_of(t, a);
	if (!r) {
		return MP_OBJ_UNKNOWN;
	}
	*c = (mp_got_cache){t, r->lo, r->hi, r->obj};
	return r->obj;
}

/* ---- walk, restore -------------------------------------------------------- */

/* Keeps this module mapped until the process ends: code may still call
 * our hooks after their slots are put back (a thread inside one, or a
 * function address read through a patched slot and stored: curl and
 * libxml2 copy malloc's address at run time). */
static void pin(void)
{
	Dl_info di;
	if (!pinned && dladdr((void *)&mp_got_patch, &di) && di.dli_fname
			&& dlopen(di.dli_fname, RTLD_LAZY | RTLD_NOLOAD | RTLD_NODELETE)) {
		pinned = true;
	}
}

int mp_got_patch(void *const hooks[MP_NSYMS])
{
	if (!resolve()) {
		return -1;
	}
	walk w;
	if (!collect_all(&w)) {
		free(w.v);
		return -1;
	}
	if (walked && w.adds == last_adds && w.subs == last_subs) {
		free(w.v);
		return 0; /* nothing loaded or unloaded since */
	}
	bool *still = calloc(nobjs + w.n, sizeof(bool));
	if (!still) {
		free(w.v);
		return -1;
	}
	for (uint32_t k = 0; k < w.n; k++) {
		const seen *o = &w.v[k];
		bool first = k == 0;
		char *path = object_path(o, first);
		if (!path) {
			continue;
		}
		uint32_t i = object_find(path, o->base);
		mp_got_object *obj;
		if (i != MP_OBJ_UNKNOWN) {
			/* walked before; looked at again all the same: it may be another
			 * load of the same file at the same place, and what was foreign
			 * or unresolved then may not be now (ours are passed over) */
			free(path);
			obj = &objs[i];
			obj->foreign = obj->skipped = 0;
		} else if (nobjs == MP_OBJ_MAX) {
			free(path); /* beyond what we tell apart: its slots stay as they are */
			continue;
		} else {
			i = nobjs++;
			obj = &objs[i];
			memset(obj, 0, sizeof(*obj));
			obj->path = path;
			obj->base = o->base;
			span(o, &obj->lo, &obj->hi);
			obj->skip = skip_reason(o, obj->lo, obj->hi);
		}
		still[i] = true;
		if (!*obj->skip) {
			patch_object(o, first, obj, hooks);
		}
	}
	for (uint32_t i = 1; i < nobjs; i++) {
		objs[i].loaded = still[i];
	}
	free(still);
	free(w.v);
	last_adds = w.adds;
	last_subs = w.subs;
	walked = true;
	ranges_publish();
	if (nrecs) {
		pin();
	}
	return 0;
}

void mp_got_restore(void)
{
	walk w = {0};
	if (walked && collect_all(&w)) {
		/* newest first: a slot patched twice (its object reloaded at the
		 * same place) gets the oldest value last, only if still ours */
		for (uint32_t k = 0; k < w.n; k++) {
			layout l;
			layout_of(&w.v[k], &l);
			for (uint32_t j = nrecs; j-- > 0;) {
				uintptr_t *slot = recs[j].slot;
				/* only slots of objects still mapped: the others went with them */
				if (in_writable(&l, (uintptr_t)slot) && __atomic_load_n(slot, __ATOMIC_RELAXED) == recs[j].hook) {
					write_slots(&l, &slot, &recs[j].orig, 1);
				}
			}
		}
	}
	free(w.v);
	free(recs);
	recs = NULL;
	nrecs = cap_recs = 0;
	for (uint32_t i = 1; i < nobjs; i++) {
		free(objs[i].path);
	}
	memset(objs, 0, sizeof(objs));
	nobjs = 1;
	walked = false;
	/* The range tables stay: a thread may still be in a hook, reading one.
	 * Their object numbers now name nothing (mp_got_object_get: unknown). */
}

bool mp_got_pinned(void)
{
	return pinned;
}

#else /* !MP_GOT_ON */

bool mp_got_originals(void *orig[MP_NSYMS])
{
	(void)orig;
	return false;
}

int mp_got_patch(void *const hooks[MP_NSYMS])
{
	(void)hooks;
	return -1;
}

void mp_got_restore(void)
{
}

bool mp_got_pinned(void)
{
	return false;
}

uint32_t mp_got_object_at(uintptr_t addr)
{
	(void)addr;
	return MP_OBJ_UNKNOWN;
}

const void *mp_got_table;

uint32_t mp_got_object_at_slow(uintptr_t addr, mp_got_cache *c)
{
	(void)addr;
	(void)c;
	return MP_OBJ_UNKNOWN;
}

static mp_got_object objs[1];
static uint32_t nobjs = 1;

#endif

uint32_t mp_got_nobjects(void)
{
	return nobjs;
}

const mp_got_object *mp_got_object_get(uint32_t obj)
{
	return obj < nobjs ? &objs[obj] : &objs[0];
}
