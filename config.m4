dnl memprof: build configuration. Finds Judy and zlib, lists the sources.

PHP_ARG_ENABLE([memprof],
  [whether to enable memprof support],
  [AS_HELP_STRING([--enable-memprof], [Enable memprof memory profiler])],
  [yes])

PHP_ARG_WITH([judy-dir],
  [for Judy],
  [AS_HELP_STRING([--with-judy-dir=DIR], [memprof: prefix where Judy is installed])],
  [no], [no])

if test "$PHP_MEMPROF" != "no"; then
  dnl PHP's installed headers (php-config --includes, all under phpincludedir)
  dnl as system headers: -Wall -Wextra then speak of our code only. PHP 8.5's
  dnl Zend/zend_operators.h has an inline with an unused parameter, warned in
  dnl every file that includes php.h. Our own directories stay -I. Other -I
  dnl entries (a build inside php-src) are left as they are.
  MEMPROF_INCLUDES=""
  for i in $INCLUDES; do
    case "$i" in
      -I"$phpincludedir"|-I"$phpincludedir"/*) i="-isystem ${i#-I}" ;;
    esac
    MEMPROF_INCLUDES="$MEMPROF_INCLUDES $i"
  done
  INCLUDES=$MEMPROF_INCLUDES

  dnl Judy: side maps of the live-block map (large sizes, unaligned addresses). Debian package: libjudy-dev
  AC_MSG_CHECKING([for Judy.h])
  JUDY_DIR=""
  for d in $PHP_JUDY_DIR /usr/local /usr; do
    if test "$d" != "no" && test -r "$d/include/Judy.h"; then
      JUDY_DIR="$d"
      break
    fi
  done
  if test -z "$JUDY_DIR"; then
    AC_MSG_RESULT([not found])
    AC_MSG_ERROR([Judy.h not found. Install the Judy library: apt-get install libjudy-dev (or pass --with-judy-dir=PREFIX)])
  fi
  AC_MSG_RESULT([$JUDY_DIR/include/Judy.h])
  PHP_ADD_INCLUDE($JUDY_DIR/include)
  PHP_CHECK_LIBRARY(Judy, JudyLIns,
    [PHP_ADD_LIBRARY_WITH_PATH(Judy, $JUDY_DIR/$PHP_LIBDIR, MEMPROF_SHARED_LIBADD)],
    [AC_MSG_ERROR([libJudy not found or unusable. Install it: apt-get install libjudy-dev])],
    [-L$JUDY_DIR/$PHP_LIBDIR])

  dnl zlib: gzip for pprof output. Debian package: zlib1g-dev
  AC_CHECK_HEADER([zlib.h], [],
    [AC_MSG_ERROR([zlib.h not found. Install zlib: apt-get install zlib1g-dev])])
  PHP_CHECK_LIBRARY(z, deflateInit2_,
    [PHP_ADD_LIBRARY(z, 1, MEMPROF_SHARED_LIBADD)],
    [AC_MSG_ERROR([libz not found or unusable. Install zlib: apt-get install zlib1g-dev])])

  PHP_SUBST(MEMPROF_SHARED_LIBADD)
  MEMPROF_SOURCES="memprof.c sampler.c sample_set.c labels.c alloc_tracker.c block_map.c callgraph.c compile_hook.c profile_walk.c export_mem.c output_file.c limit_dump.c writer.c export_array.c export_callgrind.c export_pprof.c export_folded.c triggers.c request_log.c signal_dump.c heap_graph.c heap_walk.c heap_sites.c heap_json.c heap_native.c heap_meminfo.c heap_chrome.c heap_dump.c got_patch.c native_hooks.c native_side.c"
  dnl -fno-tree-slp-vectorize: GCC packs the hot paths' counter updates and frame
  dnl stores into SSE shuffles that take more instructions than plain stores
  dnl (BENCHMARKS.md, session 5)
  PHP_NEW_EXTENSION(memprof, $MEMPROF_SOURCES, $ext_shared,, [-std=gnu11 -Wall -Wextra -fvisibility=hidden -fno-plt -fno-tree-slp-vectorize -DZEND_ENABLE_STATIC_TSRMLS_CACHE=1])
fi
