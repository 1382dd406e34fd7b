<?php

declare(strict_types=1);

namespace Paydesk;

/**
 * One page of a list (`{"object":"list","data":[…],"has_more":bool}`), newest first.
 * `foreach ($page as $item)` walks this page; autoPagingIterator() walks every page,
 * asking for the next one (`starting_after` = the last id) while `has_more` is true.
 */
class Collection extends PaydeskObject
{
    /** @var (\Closure(array<string, mixed>): Collection)|null */
    private ?\Closure $fetch = null;

    /** @var array<string, mixed> */
    private array $params = [];

    /**
     * Binds the page to the call that made it, so it can ask for the next one.
     *
     * @internal
     * @param \Closure(array<string, mixed>): Collection $fetch
     * @param array<string, mixed> $params
     */
    public function bind(\Closure $fetch, array $params): static
    {
        $this->fetch = $fetch;
        $this->params = $params;
        return $this;
    }

    /** @return list<PaydeskObject> this page's items */
    public function items(): array
    {
        $data = $this->values['data'] ?? [];
        return is_array($data) ? $data : [];
    }

    public function hasMore(): bool
    {
        return ($this->values['has_more'] ?? false) === true;
    }

    public function isEmpty(): bool
    {
        return $this->items() === [];
    }

    public function first(): ?PaydeskObject
    {
        return $this->items()[0] ?? null;
    }

    public function last(): ?PaydeskObject
    {
        $items = $this->items();
        return $items === [] ? null : $items[count($items) - 1];
    }

    /** The number of items on this page. */
    public function count(): int
    {
        return count($this->items());
    }

    /** @return \ArrayIterator<int, PaydeskObject> this page's items */
    public function getIterator(): \Iterator
    {
        return new \ArrayIterator($this->items());
    }

    /** The page after this one (empty when there is none). */
    public function nextPage(): Collection
    {
        $last = $this->last();
        if (!$this->hasMore() || $last === null || $this->fetch === null) {
            return (new Collection(['object' => 'list', 'data' => [], 'has_more' => false]))
                ->bind($this->fetch ?? static fn () => new Collection([]), $this->params);
        }
        return ($this->fetch)(['starting_after' => $last['id']] + $this->params);
    }

    /**
     * Every item of this page and of the ones after it, fetched as the loop reaches them.
     *
     * @return \Generator<int, PaydeskObject>
     */
    public function autoPagingIterator(): \Generator
    {
        $page = $this;
        while (true) {
            foreach ($page->items() as $item) {
                yield $item;
            }
            if (!$page->hasMore() || $page->isEmpty() || $page->fetch === null) {
                return;
            }
            $page = $page->nextPage();
        }
    }
}
