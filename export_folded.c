#include "export.h"
void mp_export_folded(const mp_view *v, mp_writer *w) { (void)v; mp_writes(w, "TODO\n"); }
