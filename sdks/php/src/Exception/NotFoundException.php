<?php

declare(strict_types=1);

namespace Paydesk\Exception;

/** HTTP 404: no such object for this key's merchant and mode. */
class NotFoundException extends PaydeskException
{
}
