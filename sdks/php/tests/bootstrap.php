<?php

declare(strict_types=1);

// The library through composer's autoloader (`composer install` in sdks/php).
$autoload = dirname(__DIR__) . '/vendor/autoload.php';
if (!is_file($autoload)) {
    fwrite(STDERR, "Run `composer install` in sdks/php first (it makes vendor/autoload.php).\n");
    exit(1);
}
require $autoload;
