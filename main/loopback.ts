/** This computer's own addresses: what the REST API, the token and plain http are kept to. */

/** Whether a host name or IP address names this computer: localhost, 127.0.0.0/8 or ::1 (bracketed, or IPv4-mapped). */
export function isLoopbackHost(host: string): boolean {
  const h = host
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/^::ffff:/, '');
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}
