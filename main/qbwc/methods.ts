/**
 * The QBWC callback methods, as QuickBooks Web Connector's WSDL declares them
 * (Programmer's Guide v2.0 ch.10; parameter names are significant on the wire).
 * One table drives the SOAP decoder's validation, the encoder and the WSDL.
 */

export const QBWC_NAMESPACE = 'http://developer.intuit.com/';

export type ParamType = 'string' | 'int';
export type ResultType = 'string' | 'int' | 'stringArray';

export interface ParamSpec {
  readonly name: string;
  readonly type: ParamType;
  /**
   * A missing required element is a SOAP fault; a missing optional one reads as empty, and
   * an empty one is an (empty) value. Required: what a call means nothing without.
   */
  readonly required: boolean;
  /**
   * Longest value accepted, in characters: what QBWC sends is short, and a field held in
   * memory whole must not become a way to spend the body limit (hundreds of MB) on it.
   * The one long field, receiveResponseXML's response, is streamed and has none.
   */
  readonly maxChars: number;
}

export interface MethodSpec {
  readonly params: readonly ParamSpec[];
  readonly result: ResultType;
}

const SHORT = 1_000;
const MESSAGE = 100_000;
const str = (name: string, required = false, maxChars = SHORT): ParamSpec => ({ name, type: 'string', required, maxChars });
const int = (name: string): ParamSpec => ({ name, type: 'int', required: true, maxChars: 20 });

export const QBWC_METHODS = {
  // Real QBWC sends an empty <serverVersion/>; some WSDLs declare strVersion, which we ignore.
  serverVersion: { params: [], result: 'string' },
  clientVersion: { params: [str('strVersion')], result: 'string' },
  authenticate: { params: [str('strUserName', true), str('strPassword', true)], result: 'stringArray' },
  sendRequestXML: {
    params: [
      str('ticket', true),
      // Host, company and preferences: tens of KB in practice.
      str('strHCPResponse', false, 10_000_000),
      str('strCompanyFileName', false, 10_000),
      str('qbXMLCountry'),
      int('qbXMLMajorVers'),
      int('qbXMLMinorVers'),
    ],
    result: 'string',
  },
  receiveResponseXML: {
    params: [str('ticket', true), str('response', false, Infinity), str('hresult'), str('message', false, MESSAGE)],
    result: 'int',
  },
  connectionError: { params: [str('ticket', true), str('hresult'), str('message', false, MESSAGE)], result: 'string' },
  getLastError: { params: [str('ticket', true)], result: 'string' },
  closeConnection: { params: [str('ticket', true)], result: 'string' },
  getInteractiveURL: { params: [str('wcTicket', true), str('sessionID')], result: 'string' },
  interactiveDone: { params: [str('wcTicket', true)], result: 'string' },
  interactiveRejected: { params: [str('wcTicket', true), str('reason', false, MESSAGE)], result: 'string' },
  getServerVersion: { params: [str('ticket')], result: 'string' },
} as const satisfies Record<string, MethodSpec>;

export type QbwcMethod = keyof typeof QBWC_METHODS;

const METHOD_NAMES = new Map<string, QbwcMethod>(Object.keys(QBWC_METHODS).map((m) => [m, m as QbwcMethod]));

/**
 * The method a body element's local name calls, as the table's own string (a Map lookup
 * by content: a fresh slice of the body never becomes a property key to intern).
 */
export function qbwcMethodNamed(name: string): QbwcMethod | undefined {
  return METHOD_NAMES.get(name);
}

/** Parameter values by name; ints are decoded to numbers. */
export type QbwcParams = Record<string, string | number>;

export type QbwcResult = string | number | readonly string[];
