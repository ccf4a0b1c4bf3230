/**
 * The HTTP side of the QBWC endpoint: POST /qbwc streams the body once from the socket
 * through the SOAP decoder into the service; GET /qbwc?wsdl serves the WSDL. It runs on
 * Node's http server directly (not through express) because it is the hot path.
 *
 * Every failure becomes a SOAP 1.1 Fault with HTTP 500 and the server stays up. Protocol
 * outcomes (unknown ticket, wrong company, no work) are not faults: they are answered
 * through return values, as the Web Connector expects.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { StringDecoder } from 'node:string_decoder';
import type { Logger } from '../logger';
import type { QbwcParams, QbwcResult } from './methods';
import { type DecodedRequest, SoapFault, SoapRequestDecoder } from './soap/decode';
import { encodeFault, encodeResult, SOAP_CONTENT_TYPE } from './soap/encode';
import { buildWsdl } from './soap/wsdl';
import type { CallContext, QbwcService } from './service';
import { asStorageUnavailable } from '../errors';
import { ResponseIngest } from './response-ingest';

export interface SoapEndpointOptions {
  /** Largest request body accepted, in bytes. QBWC sends a whole query result in one call. */
  maxBodyBytes: number;
  /** The endpoint's public URL, for the WSDL's soap:address. */
  endpointUrl: () => string;
  logger: Logger;
}

const CHARSETS: Record<string, BufferEncoding> = {
  'utf-8': 'utf8',
  utf8: 'utf8',
  'iso-8859-1': 'latin1',
  latin1: 'latin1',
  'us-ascii': 'latin1',
};

const EMPTY = Buffer.alloc(0);

function encodingOf(charset: string): BufferEncoding {
  const encoding = CHARSETS[charset.toLowerCase()];
  if (!encoding) throw new SoapFault('Client', `Unsupported charset "${charset}"; send UTF-8.`);
  return encoding;
}

/**
 * The encoding an XML declaration at the start of the body names, when the Content-Type
 * names none (RFC 7303 §3.2: the declaration then decides). Read from the first piece.
 */
function declarationEncoding(chunk: Buffer): BufferEncoding | undefined {
  const start = chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf ? 3 : 0;
  const head = chunk.toString('latin1', start, Math.min(chunk.length, start + 200));
  const name = /^<\?xml\s[^>]*?\bencoding\s*=\s*["']([^"']+)["']/.exec(head)?.[1];
  return name === undefined ? undefined : encodingOf(name);
}

export function createSoapEndpoint(service: QbwcService, options: SoapEndpointOptions) {
  const connections = new WeakMap<Socket, CallContext['connection']>();

  const send = (res: ServerResponse, status: number, body: string, contentType = SOAP_CONTENT_TYPE) => {
    res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  };

  const fault = (req: IncomingMessage, res: ServerResponse, err: SoapFault) => {
    options.logger.warn('SOAP request refused', { reason: err.message });
    if (!req.complete) {
      // Stop reading a body we refused; close the connection after answering.
      res.setHeader('Connection', 'close');
      req.resume();
    }
    send(res, 500, encodeFault(err.faultCode, err.message));
  };

  /** Runs the call: synchronously, except authenticate (its password check is asynchronous). */
  function dispatch(call: DecodedRequest, ctx: CallContext, response: ResponseIngest | undefined): QbwcResult | Promise<QbwcResult> {
    const p = call.params;
    switch (call.method) {
      case 'serverVersion':
      case 'getServerVersion':
        return service.serverVersion();
      case 'clientVersion':
        return service.clientVersion(p, ctx);
      case 'authenticate':
        return service.authenticate(p, ctx);
      case 'sendRequestXML':
        return service.sendRequestXML(p);
      case 'receiveResponseXML':
        return service.receiveResponseXML(p, response ?? service.openResponseSink(p));
      case 'connectionError':
        return service.connectionError(p);
      case 'getLastError':
        return service.getLastError(p);
      case 'closeConnection':
        return service.closeConnection(p);
      case 'getInteractiveURL':
        return service.getInteractiveURL(p);
      case 'interactiveDone':
        return service.interactiveDone(p);
      case 'interactiveRejected':
        return service.interactiveRejected(p);
    }
  }

  /**
   * Reads the body through the decoder and answers. Plain stream events and callbacks
   * rather than an async function: a usual call then runs from the body's last byte to
   * its answer without a trip through the microtask queue. Every failure goes to `failed`.
   */
  function handlePost(req: IncomingMessage, res: ServerResponse, failed: (err: unknown) => void): void {
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (declared > options.maxBodyBytes) {
      throw new SoapFault('Client', `The request is larger than the ${options.maxBodyBytes}-byte limit.`);
    }
    const charset = /charset\s*=\s*"?([^";\s]+)/i.exec(req.headers['content-type'] ?? '')?.[1];
    let encoding: BufferEncoding = charset === undefined ? 'utf8' : encodingOf(charset);

    let response: ResponseIngest | undefined;
    const decoder = new SoapRequestDecoder((method, field, soFar: QbwcParams) => {
      if (method !== 'receiveResponseXML' || field !== 'response') return undefined;
      response = service.openResponseSink(soFar);
      return response;
    });
    let text = new StringDecoder(encoding);
    let received = 0;
    // While set, body bytes up to the next "<" are a streamed field's text (see acceptsBytes).
    let bytesMode = false;

    const answer = (call: DecodedRequest) => {
      const socket = req.socket;
      let connection = connections.get(socket);
      if (!connection) connections.set(socket, (connection = {}));
      const ctx: CallContext = { ipAddress: socket.remoteAddress ?? null, connection };
      const result = dispatch(call, ctx, response);
      if (result instanceof Promise) result.then((r) => send(res, 200, encodeResult(call.method, r, call.style))).catch(failed);
      else send(res, 200, encodeResult(call.method, result, call.style));
    };
    // Set once the body has ended or failed: later stream events (the rest of a refused
    // body draining, a reset after the answer) must not answer a second time.
    let over = false;
    /** Stops reading the body; false if it was already over. */
    const stop = (): boolean => {
      if (over) return false;
      over = true;
      req.off('data', onData);
      decoder.abort();
      return true;
    };
    const fail = (err: unknown) => {
      if (stop()) failed(err);
    };
    const onData = (chunk: Buffer) => {
      const first = received === 0;
      received += chunk.length;
      try {
        if (first && charset === undefined) {
          encoding = declarationEncoding(chunk) ?? encoding;
          text = new StringDecoder(encoding);
        }
        if (received > options.maxBodyBytes) {
          throw new SoapFault('Client', `The request is larger than the ${options.maxBodyBytes}-byte limit.`);
        }
        let rest = chunk;
        if (bytesMode) {
          const lt = chunk.indexOf(0x3c);
          if (lt !== 0) decoder.writeBytes(lt === -1 ? chunk : chunk.subarray(0, lt));
          if (lt !== -1) bytesMode = false;
          rest = lt === -1 ? EMPTY : chunk.subarray(lt);
        }
        if (rest.length > 0) decoder.write(text.write(rest));
        // Only at a character boundary (an ASCII last byte), with nothing held in the string decoder.
        if (!bytesMode && encoding === 'utf8' && (chunk[chunk.length - 1] as number) < 0x80) bytesMode = decoder.acceptsBytes;
      } catch (err) {
        fail(err);
        return;
      }
      if (response?.congested) {
        // A large response is arriving faster than it is parsed: let the socket wait.
        req.pause();
        response.whenDrained(() => req.resume());
      }
    };
    req.on('data', onData);
    req.once('error', (err: NodeJS.ErrnoException) => {
      // The client went away mid-request (QBWC closed or timed out): nobody to answer.
      if (!req.socket.destroyed) fail(err);
      else if (stop()) options.logger.warn('The Web Connector disconnected before its request arrived whole', { received, reason: err.message });
    });
    req.once('end', () => {
      if (over) return;
      let call: DecodedRequest;
      try {
        decoder.write(text.end());
        call = decoder.end();
      } catch (err) {
        fail(err);
        return;
      }
      over = true;
      // A response whose unit did not commit (the parser or the disk failed) is dropped
      // with whatever of it was stored: a Server fault, and nothing kept.
      const answerOrDrop = () => {
        try {
          answer(call);
        } catch (err) {
          response?.abort();
          throw err;
        }
      };
      const parsed = response?.settled();
      if (parsed) {
        parsed
          .then(answerOrDrop, (err: unknown) => {
            (response as ResponseIngest).abort();
            throw err;
          })
          .catch(failed);
        return;
      }
      try {
        answerOrDrop();
      } catch (err) {
        failed(err);
      }
    });
  }

  return function soapEndpoint(req: IncomingMessage, res: ServerResponse): void {
    if (req.method === 'GET' || req.method === 'HEAD') {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (url.searchParams.has('wsdl') || url.search.toLowerCase() === '?wsdl') {
        send(res, 200, buildWsdl(options.endpointUrl()));
      } else {
        send(res, 200, 'QBWC Companion: QuickBooks Web Connector endpoint. Add this service to the Web Connector with its QWC file.\n', 'text/plain; charset=utf-8');
      }
      return;
    }
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'GET, HEAD, POST');
      send(res, 405, encodeFault('Client', 'Use POST for SOAP calls.'));
      return;
    }
    const failed = (err: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (err instanceof SoapFault) return fault(req, res, err);
      const storage = asStorageUnavailable(err);
      if (storage) return fault(req, res, new SoapFault('Server', storage.message));
      options.logger.error('SOAP call failed', { error: err instanceof Error ? err.stack : String(err) });
      fault(req, res, new SoapFault('Server', 'QBWC Companion could not process this call; it has been logged.'));
    };
    try {
      handlePost(req, res, failed);
    } catch (err) {
      failed(err);
    }
  };
}
