/* memprof: folded stacks (flamegraph.pl, speedscope, inferno): one line per
 * call path that holds memory, "frame;frame;frame bytes", frames named
 * "function (file:line)", bytes in use. */
#include <errno.h>
#include "export.h"

static void frame_label(const mp_view *v, uint32_t pos, mp_buf *out)
{
	const mp_func *f = mp_node_func(pos);
	mp_func_label(v, mp_g.nodes[pos].fn, out);
	mp_buf_appends(out, " (");
	mp_buf_appends(out, mp_func_file(f));
	mp_buf_appendc(out, ':');
	mp_buf_append_u64(out, mp_g.nodes[pos].line);
	mp_buf_appendc(out, ')');
}

void mp_export_folded(const mp_view *v, mp_writer *w)
{
	uint32_t *path = NULL;
	uint32_t cap = 0;
	mp_buf line = {0};

	for (uint32_t n = 0; n < v->nnodes && !w->failed; n++) {
		if (mp_is_call(n) || v->self[n][MP_INUSE_BYTES] == 0) {
			continue;
		}
		/* position nodes from n up to (not including) the root */
		uint32_t depth = 0;
		for (uint32_t p = n; ; p = mp_g.nodes[mp_g.nodes[p].parent].parent) {
			if (depth == cap) {
				cap = cap ? cap * 2 : 64;
				uint32_t *np = realloc(path, cap * sizeof(uint32_t));
				if (!np) {
					w->failed = true;
					w->err = ENOMEM;
					free(path);
					mp_buf_free(&line);
					return;
				}
				path = np;
			}
			path[depth++] = p;
			if (mp_g.nodes[p].parent == MP_ROOT) {
				break;
			}
		}
		mp_buf_reset(&line);
		for (uint32_t i = depth; i-- > 0;) {
			/* the root's own line stands for allocations with no PHP frame */
			if (path[i] == v->root_pos && depth > 1) {
				continue;
			}
			frame_label(v, path[i], &line);
			if (i) {
				mp_buf_appendc(&line, ';');
			}
		}
		mp_buf_appendc(&line, ' ');
		mp_buf_append_u64(&line, v->self[n][MP_INUSE_BYTES]);
		mp_buf_appendc(&line, '\n');
		if (line.failed) {
			w->failed = true;
			w->err = ENOMEM;
			break;
		}
		mp_write(w, line.p, line.len);
	}
	mp_buf_free(&line);
	free(path);
}
