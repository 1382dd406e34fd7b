<?php

declare(strict_types=1);

namespace Paydesk\Exception;

/** HTTP 409: the object's state forbids it (invalid_state) or the idempotency key is in use. */
class ConflictException extends PaydeskException
{
}
