/** An instance's destinations, all of them: the configuration's (first, when set) and those added through the API. */
import type { Store } from '../store';
import type { Instance } from '../store/types';
import { configurationDestination, type Destination, type DestinationDefinition, targetOf } from './destination';

export function destinationsOf(store: Store, instance: Instance): DestinationDefinition[] {
  const configured = configurationDestination(instance);
  return [...(configured ? [configured] : []), ...store.destinations.list(instance.id)];
}

/** Where an instance's events go now. */
export function targetsOf(store: Store, instance: Instance): Destination[] {
  return destinationsOf(store, instance).flatMap((d) => targetOf(d) ?? []);
}

/** Where the events of every live instance go now: what the delivery worker sends to. */
export function allTargets(store: Store): Destination[] {
  const configured = store.instances.list().flatMap((i) => configurationDestination(i) ?? []);
  return [...configured, ...store.destinations.enabled()].flatMap((d) => targetOf(d) ?? []);
}
