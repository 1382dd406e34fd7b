/**
 * The objects an API key works with (SPEC §4): customers, plans, payments and refunds,
 * the balance, subscriptions, client sessions and events. Each method is one operation
 * of the OpenAPI document (its operationId in the comment).
 */
import { segment, type RequestOptions } from "../core.js";
import type { ListParams, ListPromise } from "../list.js";
import type {
  Balance,
  ClientSession,
  ClientSessionCreateParams,
  ClientSessionUpdateParams,
  Customer,
  CustomerCreateParams,
  CustomerUpdateParams,
  Event,
  EventListParams,
  Payment,
  PaymentCreateParams,
  Plan,
  PlanCreateParams,
  Refund,
  RefundCreateParams,
  Subscription,
  SubscriptionCreateParams,
  SubscriptionSearchParams,
  SubscriptionUpdateByBodyParams,
  SubscriptionUpdateParams,
} from "../types.js";
import { Resource } from "./base.js";

export class Customers extends Resource {
  /** createCustomer: `POST /customers`. */
  create(params: CustomerCreateParams = {}, options?: RequestOptions): Promise<Customer> {
    return this.core.request("POST", "/customers", { body: params, options });
  }
  /** retrieveCustomer: `GET /customers/{id}`. */
  retrieve(id: string, options?: RequestOptions): Promise<Customer> {
    return this.core.request("GET", `/customers/${segment(id)}`, { options });
  }
  /** updateCustomer: `PATCH /customers/{id}`. */
  update(id: string, params: CustomerUpdateParams, options?: RequestOptions): Promise<Customer> {
    return this.core.request("PATCH", `/customers/${segment(id)}`, { body: params, options });
  }
  /** listCustomers: `GET /customers`, newest first. */
  list(params: ListParams = {}, options?: RequestOptions): ListPromise<Customer> {
    return this.core.list("/customers", params, options);
  }
}

export class Plans extends Resource {
  /** createPlan: `POST /plans`. */
  create(params: PlanCreateParams, options?: RequestOptions): Promise<Plan> {
    return this.core.request("POST", "/plans", { body: params, options });
  }
  /** retrievePlan: `GET /plans/{id}` (a publishable key may call it). */
  retrieve(id: string, options?: RequestOptions): Promise<Plan> {
    return this.core.request("GET", `/plans/${segment(id)}`, { options });
  }
  /** listPlans: `GET /plans` (a publishable key may call it). */
  list(params: ListParams = {}, options?: RequestOptions): ListPromise<Plan> {
    return this.core.list("/plans", params, options);
  }
}

export class Payments extends Resource {
  /** createPayment: `POST /payments` (through the test-card simulator). */
  create(params: PaymentCreateParams, options?: RequestOptions): Promise<Payment> {
    return this.core.request("POST", "/payments", { body: params, options });
  }
  /** retrievePayment: `GET /payments/{id}`. */
  retrieve(id: string, options?: RequestOptions): Promise<Payment> {
    return this.core.request("GET", `/payments/${segment(id)}`, { options });
  }
  /** listPayments: `GET /payments`. */
  list(params: ListParams = {}, options?: RequestOptions): ListPromise<Payment> {
    return this.core.list("/payments", params, options);
  }
  /** refundPayment: `POST /payments/refund/{id}`; without `amount`, all that remains. */
  refund(id: string, params: RefundCreateParams = {}, options?: RequestOptions): Promise<Refund> {
    return this.core.request("POST", `/payments/refund/${segment(id)}`, { body: params, options });
  }
}

export class Refunds extends Resource {
  /** retrieveRefund: `GET /refunds/{id}`. */
  retrieve(id: string, options?: RequestOptions): Promise<Refund> {
    return this.core.request("GET", `/refunds/${segment(id)}`, { options });
  }
  /** listRefunds: `GET /refunds`. */
  list(params: ListParams = {}, options?: RequestOptions): ListPromise<Refund> {
    return this.core.list("/refunds", params, options);
  }
}

export class BalanceResource extends Resource {
  /** retrieveBalance: `GET /balance`. */
  retrieve(options?: RequestOptions): Promise<Balance> {
    return this.core.request("GET", "/balance", { options });
  }
}

export class Subscriptions extends Resource {
  /** createSubscription: `POST /subscriptions`. */
  create(params: SubscriptionCreateParams, options?: RequestOptions): Promise<Subscription> {
    return this.core.request("POST", "/subscriptions", { body: params, options });
  }
  /** retrieveSubscription: `GET /subscriptions/{id}`. */
  retrieve(id: string, options?: RequestOptions): Promise<Subscription> {
    return this.core.request("GET", `/subscriptions/${segment(id)}`, { options });
  }
  /** updateSubscription: `PATCH /subscriptions/{id}`. */
  update(id: string, params: SubscriptionUpdateParams, options?: RequestOptions): Promise<Subscription> {
    return this.core.request("PATCH", `/subscriptions/${segment(id)}`, { body: params, options });
  }
  /** updateSubscriptionByBody: `PATCH /subscriptions` with the id in the body. */
  updateByBody(params: SubscriptionUpdateByBodyParams, options?: RequestOptions): Promise<Subscription> {
    return this.core.request("PATCH", "/subscriptions", { body: params, options });
  }
  /** searchSubscriptions: `GET /subscriptions/search` (filters `customer`, `status`). */
  search(params: SubscriptionSearchParams = {}, options?: RequestOptions): ListPromise<Subscription> {
    return this.core.list("/subscriptions/search", params, options);
  }
  /** The same as `search`: the API's one list of subscriptions. */
  list(params: SubscriptionSearchParams = {}, options?: RequestOptions): ListPromise<Subscription> {
    return this.search(params, options);
  }
  /** cancelSubscription: `POST /subscriptions/cancel/{id}`, at once. */
  cancel(id: string, options?: RequestOptions): Promise<Subscription> {
    return this.core.request("POST", `/subscriptions/cancel/${segment(id)}`, { options });
  }
  /** cancelSubscriptionAtPeriodEnd: `POST /subscriptions/schedule-cancel/{id}`. */
  cancelAtPeriodEnd(id: string, options?: RequestOptions): Promise<Subscription> {
    return this.core.request("POST", `/subscriptions/schedule-cancel/${segment(id)}`, { options });
  }
}

export class ClientSessions extends Resource {
  /** createClientSession: `POST /client-session`. */
  create(params: ClientSessionCreateParams, options?: RequestOptions): Promise<ClientSession> {
    return this.core.request("POST", "/client-session", { body: params, options });
  }
  /** updateClientSession: `PATCH /client-session/{id}`. */
  update(id: string, params: ClientSessionUpdateParams, options?: RequestOptions): Promise<ClientSession> {
    return this.core.request("PATCH", `/client-session/${segment(id)}`, { body: params, options });
  }
}

export class Events extends Resource {
  /** retrieveEvent: `GET /events/{id}`. */
  retrieve(id: string, options?: RequestOptions): Promise<Event> {
    return this.core.request("GET", `/events/${segment(id)}`, { options });
  }
  /** listEvents: `GET /events` (filter `type`, a prefix such as `payment`). */
  list(params: EventListParams = {}, options?: RequestOptions): ListPromise<Event> {
    return this.core.list("/events", params, options);
  }
}
