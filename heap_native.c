/* memprof: the native heap snapshot (.phpheap), what bin/memprof reads. Made
 * for a PHP reader: framed sections, and each column of numbers one JSON
 * array of integers, which json_decode() turns into a PHP array five times
 * faster than unpack() reads the same numbers as binary (3M values: 0.16 s
 * against 1.1 s, BENCHMARKS.md); names are one string split with explode().
 *
 *   "MPHEAP02", then sections: tag (4 bytes), count (u32 LE), length (u64 LE), payload
 *   META  count lines "key=value\n"
 *   STRS  count names, joined by NUL (a NUL inside a name is written "\0")
 *   SITE  JSON: per site its parent site (-1 at the top), function and file
 *         (name ids) and line, 4 numbers a site; parents come before children
 *   KIND NAME SIZE SITE RCNT HNDL  JSON, one number per node: kind, name
 *         id (class, or label of roots and frames), self size, site (-1 =
 *         none), refcount, object handle
 *   FRST  JSON, nodes + 1 numbers: node i's edges are FRST[i] .. FRST[i+1]-1
 *   ETGT EKND ENAM  JSON, one number per edge: target node, kind, name (a
 *         name id, or the integer key or index, by kind)
 *   UNRE  JSON: per site with live blocks that no node accounts for: site,
 *         bytes, blocks
 *   END\0 0, 0
 * Node 0 is "(roots)"; README.md has the kinds and edge kinds. */
#include "heap_graph.h"

#define CHUNK 8192

typedef struct col {
	mp_writer *w;
	unsigned char buf[CHUNK];
	size_t len;
} col;

static void col_flush(col *c)
{
	mp_write(c->w, c->buf, c->len);
	c->len = 0;
}

static inline void put32(col *c, uint32_t v)
{
	if (c->len + 4 > CHUNK) {
		col_flush(c);
	}
	unsigned char *p = c->buf + c->len;
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
	c->len += 4;
}

static inline void put64(col *c, uint64_t v)
{
	put32(c, (uint32_t)v);
	put32(c, (uint32_t)(v >> 32));
}

static void section(col *c, const char tag[4], uint32_t count, uint64_t len)
{
	col_flush(c);
	mp_write(c->w, tag, 4);
	put32(c, count);
	put64(c, len);
}

static void meta_line(mp_buf *b, const char *key, uint64_t v)
{
	mp_buf_appends(b, key);
	mp_buf_appendc(b, '=');
	mp_buf_append_u64(b, v);
	mp_buf_appendc(b, '\n');
}

static void write_meta(col *c, const mp_hgraph *g, const mp_hsites *s)
{
	mp_buf b = {0};
	char secs[32];
	snprintf(secs, sizeof(secs), "%.6f", g->meta.walk_seconds);
	mp_buf_appends(&b, "format=memprof-heap\nversion=1\nphp_version=" PHP_VERSION "\nscript=");
	/* one line per key: a path with a newline keeps only its first line */
	const char *nl = strchr(g->meta.script, '\n');
	mp_buf_append(&b, g->meta.script, nl ? (size_t)(nl - g->meta.script) : strlen(g->meta.script));
	mp_buf_appends(&b, "\nseconds=");
	mp_buf_appends(&b, secs);
	mp_buf_appendc(&b, '\n');
	meta_line(&b, "pid", (uint64_t)g->meta.pid);
	meta_line(&b, "time_us", g->meta.time_us);
	meta_line(&b, "memory_usage", g->meta.memory_usage);
	meta_line(&b, "memory_usage_real", g->meta.memory_usage_real);
	meta_line(&b, "peak_memory_usage", g->meta.peak_memory_usage);
	meta_line(&b, "peak_memory_usage_real", g->meta.peak_memory_usage_real);
	meta_line(&b, "sites", g->sites);
	meta_line(&b, "nodes", g->nnodes);
	meta_line(&b, "edges", g->edges.count);
	meta_line(&b, "bytes", g->bytes);
	meta_line(&b, "unreached_root", g->unreached);
	meta_line(&b, "unreached_objects", g->unreached_objects);
	meta_line(&b, "unattributed_bytes", s->unreached_bytes);
	if (b.failed) {
		c->w->failed = true;
	}
	uint32_t lines = 0;
	for (size_t i = 0; i < b.len; i++) {
		lines += b.p[i] == '\n';
	}
	section(c, "META", lines, b.len);
	col_flush(c);
	mp_write(c->w, b.p, b.len);
	mp_buf_free(&b);
}

static void write_strings(col *c, const mp_hgraph *g)
{
	uint32_t n = g->names.count;
	uint64_t total = n ? n - 1 : 0;
	for (uint32_t i = 0; i < n; i++) {
		size_t len;
		const char *s = mp_hgraph_str(g, i, &len);
		total += len;
		for (size_t k = 0; k < len; k++) {
			total += s[k] == '\0';
		}
	}
	section(c, "STRS", n, total);
	col_flush(c);
	for (uint32_t i = 0; i < n; i++) {
		size_t len;
		const char *s = mp_hgraph_str(g, i, &len);
		if (i) {
			mp_write(c->w, "", 1);
		}
		for (const char *z; len && (z = memchr(s, '\0', len)) != NULL;) {
			mp_write(c->w, s, (size_t)(z - s));
			mp_write(c->w, "\\0", 2);
			len -= (size_t)(z - s) + 1;
			s = z + 1;
		}
		mp_write(c->w, s, len);
	}
}

/* A column: its numbers, from one of the sources below, written twice
 * over: once to measure the section, once to write it. */
typedef struct source {
	const mp_hgraph *g;
	const mp_hsites *s;
	int what;
	uint64_t i, n;
	mp_hreader *r;
	uint64_t acc;
	bool failed;
} source;

enum { S_KIND, S_NAME, S_SIZE, S_SITE, S_RCNT, S_HNDL, S_FRST, S_ETGT, S_EKND, S_ENAM, S_SITES, S_UNRE };
static const char tags[][5] = {"KIND", "NAME", "SIZE", "SITE", "RCNT", "HNDL", "FRST", "ETGT", "EKND", "ENAM", "SITE", "UNRE"};

static void source_open(source *src)
{
	src->i = 0;
	src->acc = 0;
	src->r = NULL;
	switch (src->what) {
		case S_SIZE: case S_SITE: case S_RCNT: case S_HNDL: case S_FRST:
			src->r = mp_hnodes_open(src->g);
			src->failed |= src->r == NULL;
			break;
		case S_ETGT: case S_EKND: case S_ENAM:
			src->r = mp_hedges_open(src->g);
			src->failed |= src->r == NULL;
			break;
	}
}

/* The next number (as a signed value, -1 for "none"); false at the end. */
static bool source_next(source *src, int64_t *v)
{
	const mp_hgraph *g = src->g;
	const mp_hsites *s = src->s;
	if (src->i >= src->n || src->failed) {
		return false;
	}
	uint64_t i = src->i++;
	mp_hnode nd;
	mp_hedge e;
	switch (src->what) {
		case S_KIND: *v = mp_hkind_of(g, (uint32_t)i); return true;
		case S_NAME: *v = mp_hname_of(g, (uint32_t)i); return true;
		case S_SITES: {
			const mp_hsite *st = &s->site[i / 4];
			uint32_t f[4] = {st->parent, st->fn, st->file, st->line};
			*v = i % 4 == 0 && st->parent == MP_NO_SITE ? -1 : (int64_t)f[i % 4];
			return true;
		}
		case S_UNRE: {
			/* rows of sites with unreached bytes only */
			uint32_t k = (uint32_t)(src->acc);
			if (i % 3 == 0) {
				while (k < s->count && !s->site[k].unreached_bytes) {
					k++;
				}
				src->acc = k;
			}
			const mp_hsite *st = &s->site[k];
			*v = i % 3 == 0 ? (int64_t)k : (int64_t)(i % 3 == 1 ? st->unreached_bytes : st->unreached_blocks);
			if (i % 3 == 2) {
				src->acc = k + 1;
			}
			return true;
		}
		case S_FRST:
			if (i == src->n - 1) {
				*v = (int64_t)src->acc;
				return true;
			}
			/* fall through */
		case S_SIZE: case S_SITE: case S_RCNT: case S_HNDL:
			if (!mp_hreader_next(src->r, &nd)) {
				src->failed = true;
				return false;
			}
			switch (src->what) {
				case S_SIZE: *v = (int64_t)mp_hnode_size(g, (uint32_t)i, &nd); break;
				case S_SITE: { uint32_t k = mp_hsite_of(s, &nd); *v = k == MP_NO_SITE ? -1 : (int64_t)k; break; }
				case S_RCNT: *v = nd.refcount; break;
				/* a reference's handle is ours (its value's node), not an object handle */
				case S_HNDL: *v = mp_hkind_of(g, (uint32_t)i) == MP_HK_OBJECT ? nd.handle : 0; break;
				default: *v = (int64_t)src->acc; src->acc += nd.nedges; break;
			}
			return true;
		default:
			if (!mp_hreader_next(src->r, &e)) {
				src->failed = true;
				return false;
			}
			*v = src->what == S_ETGT ? mp_hedge_to(&e) : src->what == S_EKND ? mp_hedge_kind_of(&e) : e.name;
			return true;
	}
}

static size_t digits(int64_t v)
{
	size_t n = v < 0 ? 2 : 1;
	uint64_t u = v < 0 ? (uint64_t)-v : (uint64_t)v;
	while (u >= 10) {
		u /= 10;
		n++;
	}
	return n;
}

static void put_num(col *c, int64_t v)
{
	if (c->len + 24 > CHUNK) {
		col_flush(c);
	}
	if (v < 0) {
		c->buf[c->len++] = '-';
	}
	char tmp[24];
	const char *d = mp_u64_digits(tmp, v < 0 ? (uint64_t)-v : (uint64_t)v);
	size_t n = (size_t)(tmp + sizeof(tmp) - d);
	memcpy(c->buf + c->len, d, n);
	c->len += n;
}

static void json_column(col *c, source *src, uint32_t count)
{
	int64_t v;
	uint64_t len = 2;
	source_open(src);
	for (uint64_t k = 0; source_next(src, &v); k++) {
		len += digits(v) + (k > 0);
	}
	mp_hreader_close(src->r);
	section(c, tags[src->what], count, len);
	if (c->len + 1 > CHUNK) {
		col_flush(c);
	}
	c->buf[c->len++] = '[';
	source_open(src);
	for (uint64_t k = 0; source_next(src, &v); k++) {
		if (k) {
			if (c->len + 1 > CHUNK) {
				col_flush(c);
			}
			c->buf[c->len++] = ',';
		}
		put_num(c, v);
	}
	mp_hreader_close(src->r);
	if (c->len + 1 > CHUNK) {
		col_flush(c);
	}
	c->buf[c->len++] = ']';
}

void mp_heap_write_native(const mp_hgraph *g, const mp_hsites *s, mp_writer *w)
{
	col *c = malloc(sizeof(col));
	if (!c) {
		w->failed = true;
		return;
	}
	c->w = w;
	c->len = 0;
	uint32_t n = g->nnodes;
	uint32_t e = (uint32_t)g->edges.count;
	uint32_t unre = 0;
	for (uint32_t k = 0; k < s->count; k++) {
		unre += s->site[k].unreached_bytes != 0;
	}
	mp_write(w, "MPHEAP02", 8);
	write_meta(c, g, s);
	write_strings(c, g);
	source src = {.g = g, .s = s};
	static const struct { int what; int per; } cols[] = {
		{S_SITES, 0}, {S_KIND, 1}, {S_NAME, 1}, {S_SIZE, 1}, {S_SITE, 1}, {S_RCNT, 1}, {S_HNDL, 1},
		{S_FRST, 2}, {S_ETGT, 3}, {S_EKND, 3}, {S_ENAM, 3}, {S_UNRE, 4},
	};
	for (size_t k = 0; k < sizeof(cols) / sizeof(cols[0]); k++) {
		uint32_t count;
		switch (cols[k].per) {
			case 0: count = s->count; src.n = (uint64_t)s->count * 4; break;
			case 1: count = n; src.n = n; break;
			case 2: count = n + 1; src.n = (uint64_t)n + 1; break;
			case 3: count = e; src.n = e; break;
			default: count = unre; src.n = (uint64_t)unre * 3; break;
		}
		src.what = cols[k].what;
		json_column(c, &src, count);
	}
	if (src.failed) {
		w->failed = true;
	}
	section(c, "END\0", 0, 0);
	col_flush(c);
	free(c);
}
