<?php

// A loopback HTTP proxy (or webhook receiver) for the tests, one connection at a time:
//
//     php proxy.php UPSTREAM LOG PLAN
//
// prints its port, then for each request takes the next action of PLAN (comma-separated;
// `forward` once the plan is spent): `503` answers 503 without forwarding, `drop` closes
// the connection without an answer, `forward-drop` forwards and then closes without
// passing the answer on, `forward` passes it on, `ok` answers 200 `{}` (a receiver),
// `hang` answers nothing for 5 s (a client's timeout).
// Each request is a JSON line in LOG: action, method, path, headers, body (base64).
// It stops by itself after 120 s.

declare(strict_types=1);

[$upstream, $log, $plan] = [$argv[1] ?? '', $argv[2] ?? '/dev/null', $argv[3] ?? ''];
$plan = $plan === '' ? [] : explode(',', $plan);
$server = stream_socket_server('tcp://127.0.0.1:0', $errno, $errstr);
if ($server === false) {
    fwrite(STDERR, "proxy: cannot listen: $errstr\n");
    exit(1);
}
$name = stream_socket_get_name($server, false);
fwrite(STDOUT, substr($name, strrpos($name, ':') + 1) . "\n");
fflush(STDOUT);

$deadline = time() + 120;
while (time() < $deadline) {
    $conn = @stream_socket_accept($server, 1);
    if ($conn === false) {
        continue;
    }
    stream_set_timeout($conn, 10);
    $data = '';
    while (!str_contains($data, "\r\n\r\n")) {
        $chunk = fread($conn, 65536);
        if ($chunk === '' || $chunk === false) {
            break;
        }
        $data .= $chunk;
    }
    if (!str_contains($data, "\r\n\r\n")) {
        fclose($conn);
        continue;
    }
    [$head, $body] = explode("\r\n\r\n", $data, 2);
    $lines = explode("\r\n", $head);
    [$method, $path] = explode(' ', array_shift($lines));
    $headers = [];
    foreach ($lines as $line) {
        [$k, $v] = array_map('trim', explode(':', $line, 2));
        $headers[strtolower($k)] = $v;
    }
    $length = (int) ($headers['content-length'] ?? 0);
    while (strlen($body) < $length) {
        $chunk = fread($conn, $length - strlen($body));
        if ($chunk === '' || $chunk === false) {
            break;
        }
        $body .= $chunk;
    }
    $action = array_shift($plan) ?? 'forward';
    file_put_contents($log, json_encode([
        'action' => $action, 'method' => $method, 'path' => $path, 'headers' => $headers,
        'body' => base64_encode($body),
    ]) . "\n", FILE_APPEND | LOCK_EX);

    if ($action === 'hang') {
        sleep(5);
    }
    if ($action === 'drop' || $action === 'hang') {
        fclose($conn);
        continue;
    }
    if ($action === '503' || $action === 'ok') {
        $status = $action === 'ok' ? '200 OK' : '503 Service Unavailable';
        $reply = $action === 'ok' ? '{}' : '{"ok":false,"error":{"code":"unavailable","message":"The test proxy fails this attempt."},"request_id":"req_proxy"}';
        fwrite($conn, "HTTP/1.1 $status\r\nContent-Type: application/json\r\nContent-Length: " . strlen($reply)
            . "\r\nConnection: close\r\n\r\n" . $reply);
        fclose($conn);
        continue;
    }
    $ch = curl_init($upstream . $path);
    $forward = [];
    foreach ($headers as $k => $v) {
        if (!in_array($k, ['host', 'connection', 'content-length', 'expect'], true)) {
            $forward[] = "$k: $v";
        }
    }
    $answerHeaders = [];
    curl_setopt_array($ch, [
        CURLOPT_CUSTOMREQUEST => $method,
        CURLOPT_RETURNTRANSFER => true,
        CURLOPT_HTTPHEADER => array_merge($forward, ['Expect:']),
        CURLOPT_TIMEOUT => 20,
        CURLOPT_HEADERFUNCTION => static function ($ch, string $line) use (&$answerHeaders): int {
            $parts = explode(':', $line, 2);
            if (count($parts) === 2) {
                $answerHeaders[trim($parts[0])] = trim($parts[1]);
            }
            return strlen($line);
        },
    ]);
    if ($body !== '' || in_array($method, ['POST', 'PATCH', 'PUT'], true)) {
        curl_setopt($ch, CURLOPT_POSTFIELDS, $body);
    }
    $answer = curl_exec($ch);
    $code = (int) curl_getinfo($ch, CURLINFO_RESPONSE_CODE);
    curl_close($ch);
    if ($action === 'forward-drop' || $answer === false) {
        fclose($conn);
        continue;
    }
    $out = "HTTP/1.1 $code Proxied\r\n";
    foreach ($answerHeaders as $k => $v) {
        if (!in_array(strtolower($k), ['transfer-encoding', 'connection', 'content-length'], true)) {
            $out .= "$k: $v\r\n";
        }
    }
    $out .= 'Content-Length: ' . strlen($answer) . "\r\nConnection: close\r\n\r\n" . $answer;
    fwrite($conn, $out);
    fclose($conn);
}
