<?php

declare(strict_types=1);

namespace Paydesk\Tests;

use Paydesk\Tests\Support\ServerTestCase;

/** The README's quick start, run as written (only the server's port differs). */
final class ReadmeTest extends ServerTestCase
{
    public function testTheQuickStartWorksAsWritten(): void
    {
        $readme = (string) file_get_contents(dirname(__DIR__) . '/README.md');
        $this->assertSame(1, preg_match('/<!-- quickstart -->\s*```php\n(.*?)```\s*<!-- \/quickstart -->/s', $readme, $m));
        $code = $m[1];
        $this->assertLessThanOrEqual(5, count(array_filter(explode("\n", $code), fn ($l) => !in_array(trim($l), ['', '<?php'], true))), 'five lines');
        $this->assertStringContainsString("'http://127.0.0.1:8080'", $code);

        // In sdks/php, as the README says, so that __DIR__/vendor/autoload.php is ours.
        $file = dirname(__DIR__) . '/.quickstart-' . bin2hex(random_bytes(4)) . '.php';
        file_put_contents($file, str_replace('http://127.0.0.1:8080', self::server()->baseUrl, $code));
        try {
            $p = proc_open([PHP_BINARY, $file], [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes, null, ['PAYDESK_API_KEY' => self::server()->secretKey] + getenv());
            $out = stream_get_contents($pipes[1]);
            $err = stream_get_contents($pipes[2]);
            $this->assertSame(0, proc_close($p), $err);
        } finally {
            unlink($file);
        }
        $this->assertMatchesRegularExpression('/^cus_[0-9A-Za-z]+ ada@example\.com\n$/', (string) $out);
    }
}
