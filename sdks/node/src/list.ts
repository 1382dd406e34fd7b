/**
 * Lists: `client.customers.list({ limit: 10 })` is both a promise of the first page
 * (`await` it) and an async iterable over every object of every page (`for await`), which
 * asks for the next page with `starting_after` = the last id while `has_more` is true.
 * Nothing is requested until it is awaited or iterated.
 */

/** One page, as the API answers it (SPEC §4). */
export interface ListPage<T> {
  object: "list";
  data: T[];
  has_more: boolean;
}

/** `limit` (1..=100, the page size) and `starting_after` (an id), which every list takes. */
export interface ListParams {
  limit?: number;
  starting_after?: string;
}

export class ListPromise<T extends { id: string }> implements PromiseLike<ListPage<T>>, AsyncIterable<T> {
  #first: Promise<ListPage<T>> | undefined;

  constructor(
    private readonly fetchPage: (startingAfter: string | undefined) => Promise<ListPage<T>>,
    private readonly startingAfter: string | undefined,
  ) {}

  /** The first page (requested once, however often it is awaited). */
  firstPage(): Promise<ListPage<T>> {
    this.#first ??= this.fetchPage(this.startingAfter);
    return this.#first;
  }

  then<A = ListPage<T>, B = never>(
    onFulfilled?: ((page: ListPage<T>) => A | PromiseLike<A>) | null,
    onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    return this.firstPage().then(onFulfilled, onRejected);
  }

  catch<B = never>(onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null): Promise<ListPage<T> | B> {
    return this.firstPage().catch(onRejected);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    let page = await this.firstPage();
    for (;;) {
      for (const item of page.data) yield item;
      const last = page.data[page.data.length - 1];
      if (!page.has_more || last === undefined) return;
      page = await this.fetchPage(last.id);
    }
  }

  /** Every object of every page, at most `limit` of them (Stripe's `autoPagingToArray`). */
  async autoPagingToArray(options: { limit: number }): Promise<T[]> {
    if (!Number.isInteger(options?.limit) || options.limit < 1) {
      throw new TypeError("autoPagingToArray needs { limit } of at least 1");
    }
    const out: T[] = [];
    for await (const item of this) {
      out.push(item);
      if (out.length >= options.limit) break;
    }
    return out;
  }
}
