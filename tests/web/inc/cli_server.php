<?php
/* PHP's built-in web server (php -S) under this build of memprof, for the
 * phpt tests of request triggers and the request log: GET, POST and cookies
 * reach RINIT there as they do under FPM, with no extra package needed. */
require_once __DIR__ . '/signal_driver.php';   // sigw_so(), sigw_tmpdir()

/** Starts a server on a free 127.0.0.1 port serving $files (name => code). */
function srv_start(array $ini, array $files): array {
    $dir = sigw_tmpdir(false);   // removed by srv_stop(), once the server is gone
    mkdir("$dir/www");
    foreach ($files as $name => $code) {
        file_put_contents("$dir/www/$name", $code);
    }
    $probe = stream_socket_server('tcp://127.0.0.1:0');
    $port = (int) explode(':', stream_socket_get_name($probe, false))[1];
    fclose($probe);
    $cmd = [PHP_BINARY, '-n', '-d', 'extension=' . sigw_so()];
    foreach ($ini as $k => $v) {
        array_push($cmd, '-d', "$k=$v");
    }
    array_push($cmd, '-S', "127.0.0.1:$port", '-t', "$dir/www");
    $env = getenv();
    unset($env['MEMPROF_PROFILE'], $env['PHP_CLI_SERVER_WORKERS']);
    $proc = proc_open($cmd, [0 => ['file', '/dev/null', 'r'], 1 => ['file', "$dir/server.out", 'w'],
        2 => ['file', "$dir/server.out", 'a']], $pipes, null, $env);
    $s = ['proc' => $proc, 'dir' => $dir, 'base' => "http://127.0.0.1:$port"];
    register_shutdown_function('srv_stop', $s);
    for ($i = 0; $i < 100; $i++) {
        $c = @stream_socket_client("tcp://127.0.0.1:$port", $errno, $errstr, 1);
        if ($c) {
            fclose($c);
            return $s;
        }
        usleep(50000);
    }
    echo "server did not start: ", @file_get_contents("$dir/server.out"), "\n";
    return $s;
}

function srv_stop(array $s): void {
    if (is_resource($s['proc'])) {
        proc_terminate($s['proc']);
        proc_close($s['proc']);
    }
    if (is_dir($s['dir'])) {
        sigw_rmtree($s['dir']);
    }
}

/** One request; returns the body (or "HTTP error ..."). */
function srv_req(array $s, string $path, string $method = 'GET', ?string $body = null, ?string $cookie = null): string {
    $headers = "Connection: close\r\n";
    if ($cookie !== null) {
        $headers .= "Cookie: $cookie\r\n";
    }
    if ($body !== null) {
        $headers .= "Content-Type: application/x-www-form-urlencoded\r\n";
    }
    $ctx = stream_context_create(['http' => ['method' => $method, 'header' => $headers,
        'content' => $body ?? '', 'ignore_errors' => true, 'timeout' => 20]]);
    $out = @file_get_contents($s['base'] . $path, false, $ctx);
    return $out === false ? 'HTTP error' : $out;
}

function srv_profiles(string $dir): array {
    return glob("$dir/memprof.*") ?: [];
}

function srv_log(array $s): string {
    return (string) @file_get_contents($s['dir'] . '/server.out');
}
