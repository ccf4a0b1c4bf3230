/** Every domain event the UI listens for (the browser's event stream names each one): the core's list, generated. */
export { DOMAIN_EVENT_NAMES } from '../contract/routes.gen';
