<?php

declare(strict_types=1);

namespace Paydesk\Exception;

/** HTTP 5xx, or an answer that is not the API's envelope. */
class ApiException extends PaydeskException
{
}
