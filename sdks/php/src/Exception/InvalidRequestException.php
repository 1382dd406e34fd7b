<?php

declare(strict_types=1);

namespace Paydesk\Exception;

/** HTTP 400 and 422 (and other 4xx): the request itself is wrong; `details.fields` names fields. */
class InvalidRequestException extends PaydeskException
{
}
