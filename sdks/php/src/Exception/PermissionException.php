<?php

declare(strict_types=1);

namespace Paydesk\Exception;

/** HTTP 403: the key or user may not do this (insufficient_scope, forbidden, ip_not_allowed, …). */
class PermissionException extends PaydeskException
{
}
