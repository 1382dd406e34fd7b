<?php

declare(strict_types=1);

namespace Paydesk\Tests\Support;

use Paydesk\PaydeskClient;
use Paydesk\PaydeskObject;

/**
 * A real `paydesk serve` for the suite: a fresh SQLite database in a temp dir, a free
 * loopback port, an Admin made with the CLI, a user token from the API and a test key
 * with full access. Started once, on first use; stopped when the suite ends.
 */
final class Server
{
    public const PASSWORD = 'php-sdk-password-1';
    public const EMAIL = 'admin@php-sdk.test';

    private static ?Server $instance = null;

    /** @var resource */
    private $process;
    public readonly string $baseUrl;
    public readonly string $userToken;
    public readonly string $secretKey;
    public readonly string $publishableKey;
    public readonly string $keyId;

    /** @param array<string, string> $env */
    private function __construct(public readonly string $dir, private readonly array $env, private readonly string $bin)
    {
    }

    public static function get(): self
    {
        if (self::$instance === null) {
            self::$instance = self::start();
            register_shutdown_function(static fn () => self::$instance?->stop());
        }
        return self::$instance;
    }

    /** PAYDESK_BIN, else <repo>/target/release/paydesk, else built with cargo. */
    public static function binary(): string
    {
        $bin = getenv('PAYDESK_BIN');
        if (is_string($bin) && $bin !== '') {
            if (!is_executable($bin)) {
                throw new \RuntimeException("PAYDESK_BIN=$bin is not an executable file.");
            }
            return $bin;
        }
        $root = dirname(__DIR__, 4);
        $bin = "$root/target/release/paydesk";
        if (!is_executable($bin)) {
            fwrite(STDERR, "paydesk-php tests: building the server (cargo build --release) in $root\n");
            $code = 0;
            // To stderr: the suite's stdout is PHPUnit's.
            passthru('cd ' . escapeshellarg($root) . ' && cargo build --release --locked 1>&2', $code);
            if ($code !== 0 || !is_executable($bin)) {
                throw new \RuntimeException('cargo build --release failed; set PAYDESK_BIN to a built paydesk.');
            }
        }
        return $bin;
    }

    private static function start(): self
    {
        $dir = sys_get_temp_dir() . '/paydesk-php-' . bin2hex(random_bytes(6));
        mkdir($dir, 0700, true);
        $port = self::freePort();
        $env = [];
        foreach (getenv() as $k => $v) {
            if (!str_starts_with($k, 'PAYDESK_')) {
                $env[$k] = $v; // no inherited server setting (Redis, Postgres, …) leaks in
            }
        }
        $env += [
            'PAYDESK_BIND' => "127.0.0.1:$port",
            'PAYDESK_DATABASE_URL' => "sqlite://$dir/p.db",
            'PAYDESK_SECRET' => bin2hex(random_bytes(40)),
            'PAYDESK_WEBHOOK_ALLOW_PRIVATE' => 'true',
            'RUST_LOG' => 'warn',
        ];
        $server = new self($dir, $env, self::binary());
        $server->cli(['user', 'create', '--email', self::EMAIL, '--role', 'admin', '--merchant', 'PHP SDK', '--password-stdin'], self::PASSWORD . "\n");
        $server->process = proc_open([$server->bin, 'serve'], [
            0 => ['file', '/dev/null', 'r'],
            1 => ['file', "$dir/server.log", 'a'],
            2 => ['file', "$dir/server.log", 'a'],
        ], $pipes, $dir, $env);
        if (!is_resource($server->process)) {
            throw new \RuntimeException('Could not start paydesk serve.');
        }
        $server->baseUrl = "http://127.0.0.1:$port";
        $server->waitHealthy();
        $login = (new PaydeskClient(null, ['base_url' => $server->baseUrl]))->auth->login([
            'email' => self::EMAIL, 'password' => self::PASSWORD,
        ]);
        $server->userToken = $login->token;
        $key = $server->newKey(['name' => 'php sdk suite', 'permissions' => '*', 'rate_limit' => 100000]);
        $server->secretKey = $key->secret_key;
        $server->publishableKey = $key->publishable_key;
        $server->keyId = $key->id;
        return $server;
    }

    /** A new test key made with the user token (`secret_key`, `publishable_key`, `id`, …). */
    public function newKey(array $params): PaydeskObject
    {
        return $this->admin()->apiKeys->create($params);
    }

    /** A client with the suite's secret key. */
    public function client(array $options = [], ?string $key = null): PaydeskClient
    {
        return new PaydeskClient($key ?? $this->secretKey, $options + ['base_url' => $this->baseUrl]);
    }

    /** A client with the Admin's user token (api keys, webhook endpoints, …). */
    public function admin(array $options = []): PaydeskClient
    {
        return new PaydeskClient($this->userToken, $options + ['base_url' => $this->baseUrl]);
    }

    /** Runs the CLI with the server's settings; its stdout. */
    public function cli(array $args, string $stdin = ''): string
    {
        $p = proc_open(array_merge([$this->bin], $args), [0 => ['pipe', 'r'], 1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes, $this->dir, $this->env);
        fwrite($pipes[0], $stdin);
        fclose($pipes[0]);
        $out = stream_get_contents($pipes[1]);
        $err = stream_get_contents($pipes[2]);
        $code = proc_close($p);
        if ($code !== 0) {
            throw new \RuntimeException('paydesk ' . implode(' ', $args) . " failed ($code): $err");
        }
        return (string) $out;
    }

    public static function freePort(): int
    {
        $s = stream_socket_server('tcp://127.0.0.1:0');
        $name = stream_socket_get_name($s, false);
        fclose($s);
        return (int) substr($name, strrpos($name, ':') + 1);
    }

    private function waitHealthy(): void
    {
        for ($i = 0; $i < 300; $i++) { // 30 s at most
            $status = proc_get_status($this->process);
            if (!$status['running']) {
                throw new \RuntimeException("paydesk serve exited:\n" . $this->log());
            }
            $ch = curl_init($this->baseUrl . '/healthz');
            curl_setopt_array($ch, [CURLOPT_RETURNTRANSFER => true, CURLOPT_TIMEOUT_MS => 1000]);
            $ok = curl_exec($ch) !== false && curl_getinfo($ch, CURLINFO_RESPONSE_CODE) === 200;
            curl_close($ch);
            if ($ok) {
                return;
            }
            usleep(100_000);
        }
        throw new \RuntimeException("paydesk serve did not answer /healthz within 30 s:\n" . $this->log());
    }

    public function log(): string
    {
        return (string) @file_get_contents("$this->dir/server.log");
    }

    public function stop(): void
    {
        if (is_resource($this->process)) {
            proc_terminate($this->process, 15);
            for ($i = 0; $i < 100 && proc_get_status($this->process)['running']; $i++) {
                usleep(100_000);
            }
            if (proc_get_status($this->process)['running']) {
                proc_terminate($this->process, 9);
            }
            proc_close($this->process);
        }
        exec('rm -rf ' . escapeshellarg($this->dir));
        self::$instance = null;
    }
}
