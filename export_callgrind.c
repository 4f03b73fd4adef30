/* memprof: callgrind text (KCachegrind, callgrind_annotate). One fn block per
 * call node: own costs at their real lines, and each callee's inclusive cost
 * at the line that called it. Names are compressed with callgrind's "(id)"
 * syntax: ids are function ids, so each name and file is written once. */
#include <errno.h>
#include "export.h"
#include "SAPI.h"

typedef struct {
	mp_writer *w;
	const mp_view *v;
	bool *fn_seen;
	mp_idmap files;         /* file name -> id - 1 */
	mp_buf name;            /* scratch for function names */
} cg_ctx;

static void write_six(mp_writer *w, const uint64_t c[MP_NVALUES])
{
	mp_writef(w, " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64,
		c[MP_INUSE_BYTES], c[MP_INUSE_BLOCKS], c[MP_ALLOC_BYTES], c[MP_ALLOC_BLOCKS],
		c[MP_PEAK_BYTES], c[MP_PEAK_BLOCKS]);
}

/* A cost line: the totals, then (native profiles) their native part, then
 * (sampled profiles) the sample counts. */
static void write_costs(mp_writer *w, bool sampled, uint32_t line, const uint64_t c[MP_NCOUNTERS], const uint64_t *native)
{
	mp_writef(w, "%u", line);
	write_six(w, c);
	if (native) {
		write_six(w, native);
	}
	if (sampled) {
		mp_writef(w, " %" PRIu64 " %" PRIu64, c[MP_ALLOC_SAMPLES], c[MP_INUSE_SAMPLES]);
	}
	mp_write(w, "\n", 1);
}

#define NATIVE_OF(v, arr, n) ((v)->arr ? (v)->arr[n] : NULL)

/* Writes "<key>=(id)" or, the first time, "<key>=(id) name". */
static void write_file_ref(cg_ctx *cx, const char *key, const mp_func *f)
{
	const char *file = mp_func_file(f);
	bool added;
	int64_t id = mp_idmap_id(&cx->files, file, strlen(file), &added);
	if (id < 0) {
		cx->w->failed = true;
		cx->w->err = ENOMEM;
	} else if (added) {
		mp_writef(cx->w, "%s=(%ld) %s\n", key, (long)id + 1, file);
	} else {
		mp_writef(cx->w, "%s=(%ld)\n", key, (long)id + 1);
	}
}

static void write_fn_ref(cg_ctx *cx, const char *key, uint32_t fid)
{
	if (cx->fn_seen[fid]) {
		mp_writef(cx->w, "%s=(%u)\n", key, fid + 1);
		return;
	}
	mp_buf_reset(&cx->name);
	mp_func_label(cx->v, fid, &cx->name);
	if (cx->name.failed) {
		cx->w->failed = true;
		cx->w->err = ENOMEM;
		return;
	}
	mp_writef(cx->w, "%s=(%u) %s\n", key, fid + 1, mp_buf_cstr(&cx->name));
	cx->fn_seen[fid] = true;
}

static void write_call_node(cg_ctx *cx, uint32_t call)
{
	const mp_view *v = cx->v;
	mp_writer *w = cx->w;
	uint32_t fid = mp_g.nodes[call].fn;
	write_file_ref(cx, "fl", &mp_g.funcs[fid]);
	write_fn_ref(cx, "fn", fid);
	/* KCachegrind binds a function to its file through the function's own
	 * cost lines: one that has none (a constructor that only calls) would
	 * show as "(unknown)", so it gets a zero line */
	bool own_cost = false;
	uint32_t first_line = mp_g.funcs[fid].line_start;
	for (uint32_t pos = mp_first_child(call); pos != MP_NO_NODE; pos = mp_next_sibling(pos)) {
		own_cost |= !mp_counters_zero(v->self[pos]);
		first_line = mp_g.nodes[pos].line;
	}
	if (!own_cost) {
		static const uint64_t zero[MP_NCOUNTERS];
		write_costs(w, v->sample_rate, first_line, zero, v->nself ? zero : NULL);
	}
	for (uint32_t pos = mp_first_child(call); pos != MP_NO_NODE; pos = mp_next_sibling(pos)) {
		uint32_t line = mp_g.nodes[pos].line;
		if (!mp_counters_zero(v->self[pos])) {
			write_costs(w, v->sample_rate, line, v->self[pos], NATIVE_OF(v, nself, pos));
		}
		for (uint32_t c = mp_first_child(pos); c != MP_NO_NODE; c = mp_next_sibling(c)) {
			/* read before writing: a write can run PHP code that moves mp_g.funcs */
			uint32_t first_line = mp_node_func(c)->line_start;
			write_file_ref(cx, "cfl", mp_node_func(c));
			write_fn_ref(cx, "cfn", mp_g.nodes[c].fn);
			uint64_t calls = mp_g.nodes[c].calls ? mp_g.nodes[c].calls : 1;
			mp_writef(w, "calls=%" PRIu64 " %u\n", calls, first_line);
			write_costs(w, v->sample_rate, line, v->incl[c], NATIVE_OF(v, nincl, c));
		}
	}
	mp_write(w, "\n", 1);
}

void mp_export_callgrind(const mp_view *v, mp_writer *w)
{
	cg_ctx cx = {.w = w, .v = v};
	cx.fn_seen = calloc(v->nfuncs, sizeof(bool));
	if (!cx.fn_seen) {
		w->failed = true;
		w->err = ENOMEM;
		return;
	}

	mp_writes(w, "version: 1\ncreator: memprof " PHP_MEMPROF_VERSION "\n");
	mp_writef(w, "pid: %ld\n", (long)getpid());
	if (SG(request_info).path_translated) {
		mp_writef(w, "cmd: %s\n", SG(request_info).path_translated);
	}
	if (v->sample_rate) {
		/* callgrind has no notion of sampling: say it where a reader looks */
		mp_writef(w, "# memprof: sampled, sample_rate=%" PRIu64 " bytes; costs are estimates, "
			"AllocSamples and InuseSamples the samples behind them\n", v->sample_rate);
	}
	mp_writes(w, "positions: line\n");
	mp_writes(w, "event: MemorySize : In-use bytes\n"
	             "event: BlocksCount : In-use blocks\n"
	             "event: AllocMemorySize : Allocated bytes (freed or not)\n"
	             "event: AllocBlocksCount : Allocated blocks (freed or not)\n"
	             "event: PeakMemorySize : In-use bytes at peak\n"
	             "event: PeakBlocksCount : In-use blocks at peak\n");
	if (v->nself) {
		mp_writes(w, "event: NativeMemorySize : In-use bytes, native (malloc)\n"
		             "event: NativeBlocksCount : In-use blocks, native (malloc)\n"
		             "event: NativeAllocMemorySize : Allocated bytes, native (malloc)\n"
		             "event: NativeAllocBlocksCount : Allocated blocks, native (malloc)\n"
		             "event: NativePeakMemorySize : In-use bytes at peak, native (malloc)\n"
		             "event: NativePeakBlocksCount : In-use blocks at peak, native (malloc)\n");
	}
	if (v->sample_rate) {
		mp_writes(w, "event: AllocSamples : Samples taken (sampled mode)\n"
		             "event: InuseSamples : Samples still in use (sampled mode)\n");
	}
	mp_writes(w, "events: MemorySize BlocksCount AllocMemorySize AllocBlocksCount PeakMemorySize PeakBlocksCount");
	if (v->nself) {
		mp_writes(w, " NativeMemorySize NativeBlocksCount NativeAllocMemorySize NativeAllocBlocksCount"
			" NativePeakMemorySize NativePeakBlocksCount");
	}
	mp_writes(w, v->sample_rate ? " AllocSamples InuseSamples\n\n" : "\n\n");

	/* every call node, in creation order (parents before children) */
	for (uint32_t n = 0; n < v->nnodes && !w->failed; n++) {
		if (mp_is_call(n)) {
			write_call_node(&cx, n);
		}
	}
	mp_writes(w, "totals:");
	write_six(w, v->incl[MP_ROOT]);
	if (v->nincl) {
		write_six(w, v->nincl[MP_ROOT]);
	}
	mp_write(w, "\n", 1);
	mp_idmap_free(&cx.files);
	mp_buf_free(&cx.name);
	free(cx.fn_seen);
}
