/**
 * SOAP 1.1 response envelopes, written as templates (no DOM): QBWC's .NET client is
 * strict about namespaces and array items, and whitespace inside a value is data, so
 * nothing is pretty-printed. Results are in the Intuit namespace, as the WSDL requires.
 */
import { escapeText } from '../../xml/escape';
import { QBWC_METHODS, QBWC_NAMESPACE, type QbwcMethod, type QbwcResult } from '../methods';
import { type FaultCode, SOAP11_NAMESPACE, type SoapStyle } from './decode';

const SOAP_ENCODING = 'http://schemas.xmlsoap.org/soap/encoding/';
const XML_DECL = '<?xml version="1.0" encoding="utf-8"?>';
const ENVELOPE_OPEN =
  `${XML_DECL}<soap:Envelope xmlns:soap="${SOAP11_NAMESPACE}" ` +
  'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">';
const RPC_ENVELOPE_OPEN =
  `${XML_DECL}<soap:Envelope xmlns:soap="${SOAP11_NAMESPACE}" xmlns:soapenc="${SOAP_ENCODING}" ` +
  'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">';
const ENVELOPE_CLOSE = '</soap:Body></soap:Envelope>';

export const SOAP_CONTENT_TYPE = 'text/xml; charset=utf-8';

function documentResult(method: QbwcMethod, inner: string): string {
  return (
    `${ENVELOPE_OPEN}<soap:Body><${method}Response xmlns="${QBWC_NAMESPACE}">` +
    `<${method}Result>${inner}</${method}Result></${method}Response>${ENVELOPE_CLOSE}`
  );
}

function rpcResult(method: QbwcMethod, type: string, inner: string): string {
  return (
    `${RPC_ENVELOPE_OPEN}<soap:Body soap:encodingStyle="${SOAP_ENCODING}">` +
    `<tns:${method}Response xmlns:tns="${QBWC_NAMESPACE}">` +
    `<${method}Result ${type}>${inner}</${method}Result></tns:${method}Response>${ENVELOPE_CLOSE}`
  );
}

/** Serialises a method's result in the style the request used. */
export function encodeResult(method: QbwcMethod, result: QbwcResult, style: SoapStyle): string {
  const kind = QBWC_METHODS[method].result;
  if (kind === 'stringArray') {
    const items = result as readonly string[];
    if (style === 'rpc') {
      const inner = items.map((s) => `<string xsi:type="xsd:string">${escapeText(s)}</string>`).join('');
      return rpcResult(method, `xsi:type="soapenc:Array" soapenc:arrayType="xsd:string[${items.length}]"`, inner);
    }
    // Every item written out, empty ones too: QBWC indexes authRet[0..3] positionally.
    return documentResult(method, items.map((s) => `<string>${escapeText(s)}</string>`).join(''));
  }
  if (kind === 'int') {
    const n = String(Math.trunc(result as number));
    return style === 'rpc' ? rpcResult(method, 'xsi:type="xsd:int"', n) : documentResult(method, n);
  }
  const text = escapeText(result as string);
  return style === 'rpc' ? rpcResult(method, 'xsi:type="xsd:string"', text) : documentResult(method, text);
}

export function encodeFault(code: FaultCode, message: string): string {
  return (
    `${ENVELOPE_OPEN}<soap:Body><soap:Fault><faultcode>soap:${code}</faultcode>` +
    `<faultstring>${escapeText(message)}</faultstring></soap:Fault>${ENVELOPE_CLOSE}`
  );
}
