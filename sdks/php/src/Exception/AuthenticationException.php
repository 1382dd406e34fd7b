<?php

declare(strict_types=1);

namespace Paydesk\Exception;

/** HTTP 401: credentials missing, unknown, expired, or a bad signature. */
class AuthenticationException extends PaydeskException
{
}
