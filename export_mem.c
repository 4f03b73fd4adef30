/* memprof: the exporters' scratch memory: a growable byte buffer and a map
 * from byte strings to dense ids, both on malloc. Nothing an export needs
 * comes from the Zend heap, so writing a profile can never run into
 * memory_limit: at request end the heap may be at its limit (or past it,
 * after the fatal error that dump_on_limit answers), and a fatal error in the
 * middle of a dump would skip its cleanup and leave a half-written file. */
#include "export.h"

/* ---- mp_buf --------------------------------------------------------- */

static bool buf_reserve(mp_buf *b, size_t more)
{
	if (b->failed) {
		return false;
	}
	/* +1: room for the NUL of mp_buf_cstr() */
	if (b->len + more + 1 <= b->cap) {
		return true;
	}
	size_t cap = b->cap ? b->cap : 256;
	while (cap < b->len + more + 1) {
		cap *= 2;
	}
	char *p = realloc(b->p, cap);
	if (!p) {
		b->failed = true;
		return false;
	}
	b->p = p;
	b->cap = cap;
	return true;
}

void mp_buf_append(mp_buf *b, const char *s, size_t len)
{
	if (buf_reserve(b, len)) {
		memcpy(b->p + b->len, s, len);
		b->len += len;
	}
}

void mp_buf_appendc(mp_buf *b, char c)
{
	if (buf_reserve(b, 1)) {
		b->p[b->len++] = c;
	}
}

void mp_buf_append_u64(mp_buf *b, uint64_t v)
{
	char tmp[24];
	size_t i = sizeof(tmp);
	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	mp_buf_append(b, tmp + i, sizeof(tmp) - i);
}

const char *mp_buf_cstr(mp_buf *b)
{
	if (!buf_reserve(b, 0)) {
		return "";
	}
	b->p[b->len] = '\0';
	return b->p;
}

void mp_buf_free(mp_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

/* ---- mp_idmap ------------------------------------------------------- */

/* Entries in insertion order (their index is the id); an open-addressing
 * table of entry index + 1 (0 = empty) finds them; keys live in one buffer. */
typedef struct mp_idmap_entry {
	size_t off, len;
	uint64_t hash;
} idmap_entry;

static uint64_t hash_bytes(const void *key, size_t len)
{
	/* FNV-1a: short keys, no need for more */
	const unsigned char *p = key;
	uint64_t h = 0xcbf29ce484222325ULL;
	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static bool idmap_grow(mp_idmap *m)
{
	uint32_t size = m->mask ? (m->mask + 1) * 2 : 64;
	uint32_t *table = calloc(size, sizeof(uint32_t));
	if (!table) {
		return false;
	}
	const idmap_entry *e = m->entries;
	for (uint32_t i = 0; i < m->count; i++) {
		uint32_t slot = (uint32_t)e[i].hash & (size - 1);
		while (table[slot]) {
			slot = (slot + 1) & (size - 1);
		}
		table[slot] = i + 1;
	}
	free(m->table);
	m->table = table;
	m->mask = size - 1;
	return true;
}

int64_t mp_idmap_id(mp_idmap *m, const void *key, size_t len, bool *added)
{
	*added = false;
	/* at most half full, so probes stay short and always end */
	if ((m->count + 1) * 2 > m->mask + 1 && !idmap_grow(m)) {
		return -1;
	}
	uint64_t h = hash_bytes(key, len);
	idmap_entry *entries = m->entries;
	uint32_t slot = (uint32_t)h & m->mask;
	for (uint32_t i; (i = m->table[slot]) != 0; slot = (slot + 1) & m->mask) {
		const idmap_entry *e = &entries[i - 1];
		if (e->hash == h && e->len == len && memcmp(m->keys.p + e->off, key, len) == 0) {
			return i - 1;
		}
	}
	if (m->count == m->cap) {
		uint32_t cap = m->cap ? m->cap * 2 : 64;
		entries = realloc(m->entries, cap * sizeof(idmap_entry));
		if (!entries) {
			return -1;
		}
		m->entries = entries;
		m->cap = cap;
	}
	size_t off = m->keys.len;
	mp_buf_append(&m->keys, key, len);
	if (m->keys.failed) {
		return -1;
	}
	entries[m->count] = (idmap_entry){.off = off, .len = len, .hash = h};
	m->table[slot] = ++m->count;
	*added = true;
	return m->count - 1;
}

void mp_idmap_free(mp_idmap *m)
{
	free(m->table);
	free(m->entries);
	mp_buf_free(&m->keys);
	memset(m, 0, sizeof(*m));
}
