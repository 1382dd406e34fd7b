<?php

declare(strict_types=1);

namespace Paydesk\Service;

use Paydesk\ApiRequestor;
use Paydesk\Collection;
use Paydesk\Operations;
use Paydesk\PaydeskObject;

/** A resource of the API; its methods call the operations of Operations::ALL. */
abstract class AbstractService
{
    public function __construct(protected readonly ApiRequestor $requestor)
    {
    }

    /**
     * @param list<string>         $ids    the path's `{id}`, in order
     * @param array<string, mixed> $params
     * @param array<string, mixed> $opts
     */
    protected function call(string $operationId, array $ids, array $params, array $opts): PaydeskObject
    {
        [$method, $template] = Operations::get($operationId);
        $response = $this->requestor->request($method, self::path($template, $ids), $params, $opts);
        return ApiRequestor::decode($response);
    }

    /**
     * A list operation: the first page, which knows how to fetch the next ones.
     *
     * @param list<string>         $ids
     * @param array<string, mixed> $params
     * @param array<string, mixed> $opts
     */
    protected function callList(string $operationId, array $ids, array $params, array $opts): Collection
    {
        $fetch = function (array $params) use (&$fetch, $operationId, $ids, $opts): Collection {
            $page = $this->call($operationId, $ids, $params, $opts);
            if (!$page instanceof Collection) {
                throw new \UnexpectedValueException("`$operationId` did not answer with a list.");
            }
            return $page->bind($fetch, $params);
        };
        return $fetch($params);
    }

    /** @param list<string> $ids */
    private static function path(string $template, array $ids): string
    {
        return preg_replace_callback('/\{[a-z_]+\}/', static function () use (&$ids): string {
            $id = array_shift($ids);
            if (!is_string($id) || trim($id) === '') {
                throw new \InvalidArgumentException('An object id is required (a non-empty string).');
            }
            return rawurlencode($id);
        }, $template);
    }
}
