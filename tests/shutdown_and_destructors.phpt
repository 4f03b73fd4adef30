--TEST--
Memory limit hit while profiling; destructors and shutdown functions that allocate after the script ends
--EXTENSIONS--
memprof
--FILE--
<?php
require __DIR__ . '/inc/common.php';
$dir = mp_tmpdir();
$script = mp_script($dir, <<<'PHP'
<?php
class Holder {
    public $data;
    function __destruct() { $this->data = str_repeat('d', 100000); echo "destructor ran\n"; }
}
$h = new Holder;
register_shutdown_function(function () {
    // frees tracked blocks after the fatal error, then allocates: how much
    // room a fatal error leaves differs between PHP versions, this does not
    $GLOBALS['a'] = null;
    $x = str_repeat('s', 200000);
    echo "shutdown ran ", strlen($x), "\n";
    gc_collect_cycles();
});
function hog() { $GLOBALS['a'] = []; while (true) $GLOBALS['a'][] = str_repeat('h', 5000); }
hog();
PHP);
$out = shell_exec('USE_ZEND_ALLOC=1 MEMPROF_PROFILE=1 ' . mp_php() . " -d memory_limit=6M -d memprof.output_dir=$dir -d memprof.output_format=pprof $script 2>&1; echo exit=$?");
echo trim(mp_no_traces($out)), "\n";
mp_dump(count(glob("$dir/{,.}memprof*", GLOB_BRACE)), count(glob("$dir/memprof.pprof.*.pb.gz")));
?>
--EXPECTF--
Fatal error: Allowed memory size of 6291456 bytes exhausted %s in %s on line 15
shutdown ran 200000
exit=255
int(1)
int(1)
