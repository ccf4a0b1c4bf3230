/**
 * The floor: a plain node:http server answering QBWC calls with canned envelopes. It
 * reads the body, finds the method with indexOf, and writes a prebuilt response — no
 * XML parsing, no persistence. receiveResponseXML counts up to 100 after N responses.
 *
 * Env: BENCH_PORT (default 0 = any free port), BENCH_SESSION_SIZES (comma-separated N
 * per session, taken in order at each authenticate, the last one repeating; default
 * 5000). Prints its base URL on one line when listening.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const sizes = (process.env.BENCH_SESSION_SIZES ?? '5000').split(',').map((s) => Number(s.trim()));
if (sizes.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`bad BENCH_SESSION_SIZES: ${process.env.BENCH_SESSION_SIZES}`);

const HEAD =
  '<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" ' +
  'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema"><soap:Body>';
const TAIL = '</soap:Body></soap:Envelope>';
const answer = (method: string, inner: string): Buffer =>
  Buffer.from(`${HEAD}<${method}Response xmlns="http://developer.intuit.com/"><${method}Result>${inner}</${method}Result></${method}Response>${TAIL}`);

const AUTHENTICATE = answer('authenticate', '<string>bare-ticket-0000</string><string></string><string></string><string></string>');
const REQUEST = answer(
  'sendRequestXML',
  '&lt;?xml version="1.0" encoding="utf-8"?&gt;&lt;?qbxml version="13.0"?&gt;&lt;QBXML&gt;&lt;QBXMLMsgsRq onError="stopOnError"&gt;' +
    '&lt;CustomerQueryRq requestID="00000000-0000-4000-8000-000000000001"&gt;&lt;MaxReturned&gt;1&lt;/MaxReturned&gt;&lt;/CustomerQueryRq&gt;' +
    '&lt;/QBXMLMsgsRq&gt;&lt;/QBXML&gt;',
);
const PERCENT = Array.from({ length: 101 }, (_, i) => answer('receiveResponseXML', String(i)));
const CLOSE = answer('closeConnection', 'OK');
const SERVER_VERSION = answer('serverVersion', 'bare 1.0');
const CLIENT_VERSION = answer('clientVersion', '');
const LAST_ERROR = answer('getLastError', '');
const CONNECTION_ERROR = answer('connectionError', 'done');

let session = -1;
let total = sizes[0] as number;
let done = 0;

function route(body: string): Buffer {
  if (body.indexOf('<receiveResponseXML') !== -1) {
    done++;
    if (done >= total) {
      done = 0;
      return PERCENT[100] as Buffer;
    }
    return PERCENT[Math.min(99, Math.floor((done * 100) / total))] as Buffer;
  }
  if (body.indexOf('<sendRequestXML') !== -1) return REQUEST;
  if (body.indexOf('<authenticate') !== -1) {
    session++;
    total = sizes[Math.min(session, sizes.length - 1)] as number;
    done = 0;
    return AUTHENTICATE;
  }
  if (body.indexOf('<closeConnection') !== -1) return CLOSE;
  if (body.indexOf('<serverVersion') !== -1) return SERVER_VERSION;
  if (body.indexOf('<clientVersion') !== -1) return CLIENT_VERSION;
  if (body.indexOf('<getLastError') !== -1) return LAST_ERROR;
  if (body.indexOf('<connectionError') !== -1) return CONNECTION_ERROR;
  return CLOSE;
}

const server = http.createServer({ keepAliveTimeout: 30_000 }, (req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const out = route(Buffer.concat(chunks).toString('utf8'));
    res.writeHead(200, { 'Content-Type': 'text/xml; charset=utf-8', 'Content-Length': out.length });
    res.end(out);
  });
});

server.listen(Number(process.env.BENCH_PORT ?? 0), '127.0.0.1', () => {
  process.stdout.write(`http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)).closeAllConnections());
