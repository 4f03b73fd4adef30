#include "export.h"
void mp_export_callgrind(const mp_view *v, mp_writer *w) { (void)v; mp_writes(w, "TODO\n"); }
