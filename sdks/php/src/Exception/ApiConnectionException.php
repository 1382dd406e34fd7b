<?php

declare(strict_types=1);

namespace Paydesk\Exception;

/** No answer: the connection was refused, dropped or timed out (after the retries). */
class ApiConnectionException extends PaydeskException
{
}
