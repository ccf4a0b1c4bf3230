/**
 * What the tray, the notifications and the watchdog read: the contract's overview and
 * the core's domain events, as one tagged union. Types only — nothing here runs.
 */
import type { OperationOutput } from '../contract/operations';
import type { DomainEventMap, DomainEventName } from '../events';

export type Overview = OperationOutput<'getOverview'>;
export type ConnectionOverview = Overview['connections'][number];
export type ConnectionState = ConnectionOverview['state'];

/** A domain event as the UI receives it (`companion:event`) and the tray consumes it. */
export type DomainEvent = { [K in DomainEventName]: { type: K; data: DomainEventMap[K] } }[DomainEventName];
