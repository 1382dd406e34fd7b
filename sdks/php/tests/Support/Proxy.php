<?php

declare(strict_types=1);

namespace Paydesk\Tests\Support;

/**
 * tests/Support/proxy.php in its own process: a loopback proxy that fails the attempts
 * its plan says, or a webhook receiver (plan `ok,ok,…`). Records every request.
 */
final class Proxy
{
    /** @var resource */
    private $process;
    public readonly int $port;
    private readonly string $log;

    /** @param list<string> $plan */
    public function __construct(string $upstream, array $plan)
    {
        $this->log = tempnam(sys_get_temp_dir(), 'paydesk-php-proxy-');
        $this->process = proc_open(
            [PHP_BINARY, __DIR__ . '/proxy.php', $upstream, $this->log, implode(',', $plan)],
            [0 => ['file', '/dev/null', 'r'], 1 => ['pipe', 'w'], 2 => ['file', '/dev/null', 'w']],
            $pipes,
        );
        $read = [$pipes[1]];
        $w = $e = null;
        if (stream_select($read, $w, $e, 10) !== 1) {
            throw new \RuntimeException('The test proxy did not start within 10 s.');
        }
        $this->port = (int) trim((string) fgets($pipes[1]));
    }

    public function url(): string
    {
        return "http://127.0.0.1:$this->port";
    }

    /** @return list<array{action: string, method: string, path: string, headers: array<string, string>, body: string}> */
    public function requests(): array
    {
        $out = [];
        foreach (file($this->log, FILE_IGNORE_NEW_LINES | FILE_SKIP_EMPTY_LINES) ?: [] as $line) {
            $r = json_decode($line, true);
            $r['body'] = base64_decode($r['body']);
            $out[] = $r;
        }
        return $out;
    }

    /** Waits (10 s at most) until $n requests arrived; those requests. */
    public function waitFor(int $n, float $seconds = 10.0): array
    {
        $until = microtime(true) + $seconds;
        while (count($this->requests()) < $n && microtime(true) < $until) {
            usleep(50_000);
        }
        return $this->requests();
    }

    public function stop(): void
    {
        if (is_resource($this->process)) {
            proc_terminate($this->process, 9);
            proc_close($this->process);
        }
        @unlink($this->log);
    }

    public function __destruct()
    {
        $this->stop();
    }
}
