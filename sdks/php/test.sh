#!/usr/bin/env bash
# The PHP library's suite against a real `paydesk serve` (started by the suite itself on a
# fresh SQLite database; see tests/Support/Server.php). Installs PHP, composer and PHPUnit
# from Debian's packages when they are missing, makes vendor/autoload.php with composer,
# runs PHPUnit. The server binary: $PAYDESK_BIN, else <repo>/target/release/paydesk, else
# `cargo build --release`. Exits non-zero when anything fails.
set -euo pipefail
cd "$(dirname "$0")"

missing=()
command -v php >/dev/null 2>&1 || missing+=(php-cli)
if command -v php >/dev/null 2>&1; then
  php -m | grep -qix curl || missing+=(php-curl)
  php -m | grep -qix mbstring || missing+=(php-mbstring)
else
  missing+=(php-curl php-mbstring)
fi
command -v composer >/dev/null 2>&1 || missing+=(composer)
# PHPUnit: composer's when a registry put it in vendor/, else Debian's.
[ -x vendor/bin/phpunit ] || command -v phpunit >/dev/null 2>&1 || missing+=(phpunit)
if [ ${#missing[@]} -gt 0 ]; then
  echo "sdks/php: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
php --version | head -n 1

# No runtime dependency: composer only writes the autoloader (no registry needed).
[ -n "${HOME:-}" ] || [ -n "${COMPOSER_HOME:-}" ] || export COMPOSER_HOME="${TMPDIR:-/tmp}/paydesk-php-composer"
COMPOSER_ALLOW_SUPERUSER=1 composer install --no-interaction --no-progress --quiet
for f in $(find src tests -name '*.php'); do php -l "$f" >/dev/null; done

phpunit=phpunit
[ -x vendor/bin/phpunit ] && phpunit=vendor/bin/phpunit
exec "$phpunit" --configuration phpunit.xml.dist "$@"
