/**
 * quickbooks-js (archived; node-soap 0.9.1 based, in-memory) as the usual app wires it:
 * a handler whose fetchRequests hands over the queue at each authenticate.
 *
 * Env read by quickbooks-js itself at require time: QB_SOAP_PORT (path /wsdl),
 * QB_USERNAME, QB_PASSWORD, QB_COMPANY_FILE. Ours: BENCH_QUEUE_SIZES — queue length per
 * session, comma-separated, taken in order at each authenticate (the last repeats).
 *
 * quickbooks-js prints a line when it starts listening (before it actually listens), so
 * the harness polls the port instead.
 */

interface QbXmlHandler {
  fetchRequests(cb: (err: Error | null, requests: string[]) => void): void;
  handleResponse(response: string): void;
  didReceiveError(hresult: string): void;
}
interface QuickBooksServer {
  setQBXMLHandler(handler: QbXmlHandler): void;
  run(): void;
}

const Server = require('quickbooks-js') as new () => QuickBooksServer;

const sizes = (process.env.BENCH_QUEUE_SIZES ?? '5000').split(',').map((s) => Number(s.trim()));
if (sizes.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`bad BENCH_QUEUE_SIZES: ${process.env.BENCH_QUEUE_SIZES}`);

/** The same shape of document the companion sends: one CustomerQueryRq with a requestID. */
const request = (i: number) =>
  '<?xml version="1.0" encoding="utf-8"?><?qbxml version="13.0"?><QBXML><QBXMLMsgsRq onError="stopOnError">' +
  `<CustomerQueryRq requestID="${i}"><MaxReturned>1</MaxReturned></CustomerQueryRq></QBXMLMsgsRq></QBXML>`;

// Built once, up front: handing over the queue is the app's business, not the server's.
const queues = new Map<number, string[]>();
for (const n of sizes) if (!queues.has(n)) queues.set(n, Array.from({ length: n }, (_, i) => request(i)));

let fetches = 0;
let responses = 0;
let errors = 0;

const server = new Server();
server.setQBXMLHandler({
  fetchRequests(cb) {
    const n = sizes[Math.min(fetches, sizes.length - 1)] as number;
    fetches++;
    cb(null, queues.get(n) as string[]);
  },
  handleResponse() {
    responses++;
  },
  didReceiveError() {
    errors++;
  },
});
server.run();

process.on('SIGTERM', () => {
  process.stderr.write(`quickbooks-js wrapper: ${fetches} fetches, ${responses} responses, ${errors} errors\n`);
  process.exit(0);
});
