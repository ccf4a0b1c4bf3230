import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { QBWC_METHODS, type QbwcMethod } from '../../main/qbwc/methods';
import { type DecodedRequest, SoapFault, SoapRequestDecoder, type TextSink } from '../../main/qbwc/soap/decode';
import { encodeFault, encodeResult } from '../../main/qbwc/soap/encode';
import { buildWsdl } from '../../main/qbwc/soap/wsdl';
import { buildRequestEnvelope, readResponseEnvelope } from '../../main/simulator/soap-client';
import { decodeEntities } from '../../main/xml/tokenizer';
import { parseXml } from '../../main/xml/tree';
import { fixture } from '../helpers';

/** Decodes `xml`, collecting streamed fields into strings. */
function decode(xml: string, chunkSize = 7): { call: DecodedRequest; streamed: Record<string, string> } {
  const streamed: Record<string, string> = {};
  const decoder = new SoapRequestDecoder((_m, field) => {
    if (field !== 'response') return undefined;
    streamed[field] = '';
    const sink: TextSink = {
      // Whole references only, so each piece decodes on its own.
      writeEscaped: (r) => void (streamed[field] += decodeEntities(r)),
      write: (t) => void (streamed[field] += t),
      end() {},
      abort() {},
    };
    return sink;
  });
  for (let i = 0; i < xml.length; i += chunkSize) decoder.write(xml.slice(i, i + chunkSize));
  return { call: decoder.end(), streamed };
}

/** The text between <response> and </response> in a captured envelope, unescaped. */
function innerResponse(envelope: string): string {
  const raw = envelope.slice(envelope.indexOf('<response>') + '<response>'.length, envelope.indexOf('</response>'));
  return raw.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&');
}

describe('SOAP request decoding (golden, real captures)', () => {
  it('reads the RPC/encoded serverVersion and clientVersion QBWC 2.3.0.215 sends with Style=RPC', () => {
    const samples = parseXml(fixture('qbwc', 'capture_serverVersion_clientVersion_RPC-encoded_QBWC-2.3.0.215.simulator.xml'));
    const text = fixture('qbwc', 'capture_serverVersion_clientVersion_RPC-encoded_QBWC-2.3.0.215.simulator.xml');
    const envelope = (tag: string) => text.slice(text.indexOf(`<${tag}>`) + tag.length + 2, text.indexOf(`</${tag}>`)).trim();
    expect(samples.children.map((c) => c.name)).toContain('clientVersion_request');
    const sv = decode(envelope('serverVersion_request')).call;
    expect(sv).toEqual({ method: 'serverVersion', params: {}, style: 'rpc' });
    const cv = decode(envelope('clientVersion_request')).call;
    expect(cv).toEqual({ method: 'clientVersion', params: { strVersion: '2.3.0.215' }, style: 'rpc' });
  });

  it('streams the escaped qbXML of a real receiveResponseXML (flowlink InvoiceAddRs) byte for byte', () => {
    const env = fixture('qbxml', 'flowlink_invoice_add_rs.soap.xml');
    const { call, streamed } = decode(env, 64);
    expect(call.method).toBe('receiveResponseXML');
    expect(call.style).toBe('document');
    expect(call.params).toEqual({ ticket: '354f40b4-b661-4472-a13f-8abf13a743c3', response: '', hresult: '', message: '' });
    expect(streamed.response).toBe(innerResponse(env));
    expect(streamed.response).toContain('<InvoiceAddRs statusCode="0" statusSeverity="Info" statusMessage="Status OK">');
  });

  it.each(['flowlink_item_inventory_query_rs_empty.soap.xml', 'flowlink_sales_order_add_rs_invalid_record_ref.soap.xml'])(
    'accepts a fixture that put the qbXML unescaped inside <response> (%s)',
    (file) => {
      const { streamed } = decode(fixture('qbxml', file));
      const rs = parseXml(`<x>${(streamed.response as string).replace(/<\?xml[^?]*\?>/, '')}</x>`);
      const status = rs.children[0]?.children[0]?.children[0];
      expect(status?.name).toMatch(/Rs$/);
      expect(status?.attrs.statusCode).toMatch(/^(1|3140)$/);
    },
  );

  it('accepts a UTF-8 BOM, a prefixed method element and no SOAPAction dependence', () => {
    const xml =
      '\uFEFF<?xml version="1.0" encoding="utf-8"?><S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Body>' +
      '<ns1:authenticate xmlns:ns1="http://developer.intuit.com/"><ns1:strUserName>jo</ns1:strUserName><ns1:strPassword> p w </ns1:strPassword></ns1:authenticate>' +
      '</S:Body></S:Envelope>';
    expect(decode(xml).call).toEqual({ method: 'authenticate', params: { strUserName: 'jo', strPassword: ' p w ' }, style: 'document' });
  });

  it('decodes what the simulated Web Connector sends, in both styles, for every method', () => {
    const args: Record<string, string | number> = {
      strVersion: '2.1.0.30',
      strUserName: 'u',
      strPassword: 'p',
      ticket: 't',
      strHCPResponse: '<?xml version="1.0" ?><QBXML/>',
      strCompanyFileName: 'C:\\a & b.qbw',
      qbXMLCountry: 'US',
      qbXMLMajorVers: 13,
      qbXMLMinorVers: 0,
      response: '',
      hresult: '0x80040400',
      message: 'QuickBooks found an error when parsing the provided XML text stream.',
      wcTicket: 'w',
      sessionID: 's',
      reason: 'r',
    };
    for (const method of Object.keys(QBWC_METHODS) as QbwcMethod[]) {
      for (const style of ['Document', 'RPC'] as const) {
        const { call, streamed } = decode(buildRequestEnvelope(method, args, style), 13);
        expect(call.method).toBe(method);
        expect(call.style).toBe(style === 'RPC' ? 'rpc' : 'document');
        for (const p of QBWC_METHODS[method].params) expect(p.name === 'response' ? (streamed.response ?? call.params.response) : call.params[p.name]).toEqual(args[p.name]);
      }
    }
  });
});

describe('SOAP request faults', () => {
  const env = (body: string) => `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>${body}</soap:Body></soap:Envelope>`;
  it.each([
    ['not XML', 'hello', /not well-formed/],
    ['a DOCTYPE', `<!DOCTYPE x [<!ENTITY e "boom">]>${env('<getLastError xmlns="http://developer.intuit.com/"><ticket>&e;</ticket></getLastError>')}`, /DOCTYPE/],
    ['an unknown method', env('<dropTables xmlns="http://developer.intuit.com/"/>'), /Unknown method/],
    ['a method named after an Object member', env('<constructor xmlns="http://developer.intuit.com/"/>'), /Unknown method "constructor"/],
    ['a method named __proto__', env('<__proto__ xmlns="http://developer.intuit.com/"/>'), /Unknown method "__proto__"/],
    ['a repeated empty field', env('<getLastError xmlns="http://developer.intuit.com/"><ticket/><ticket>b</ticket></getLastError>'), /twice/],
    ['a missing required field', env('<authenticate xmlns="http://developer.intuit.com/"><strUserName>u</strUserName></authenticate>'), /strPassword.*missing/],
    ['a non-integer int field', env('<sendRequestXML xmlns="http://developer.intuit.com/"><ticket>t</ticket><qbXMLMajorVers>x</qbXMLMajorVers><qbXMLMinorVers>0</qbXMLMinorVers></sendRequestXML>'), /must be an integer/],
    ['a repeated field', env('<getLastError xmlns="http://developer.intuit.com/"><ticket>a</ticket><ticket>b</ticket></getLastError>'), /twice/],
    ['an empty body', env(''), /does not contain a QBWC method/],
    ['an overlong user name', env(`<authenticate xmlns="http://developer.intuit.com/"><strUserName>${'u'.repeat(1001)}</strUserName><strPassword>p</strPassword></authenticate>`), /"strUserName" is longer than 1000 characters/],
    ['an overlong HRESULT message', env(`<connectionError xmlns="http://developer.intuit.com/"><ticket>t</ticket><hresult>0x1</hresult><message>${'m'.repeat(100_001)}</message></connectionError>`), /"message" is longer than 100000/],
    ['a non-SOAP document', '<Envelope><Body/></Envelope>', /SOAP 1.1 namespace/],
    ['a truncated capture', fixture('qbwc', 'capture_receiveResponseXML_request_ReceivePaymentAddRs.consolibyte-wiki.PARTIAL.txt').split('\n').slice(5).join('\n'), /not well-formed/],
  ])('refuses %s with a SOAP fault', (_label, xml, message) => {
    expect(() => decode(xml)).toThrow(SoapFault);
    expect(() => decode(xml)).toThrow(message);
  });

  it('answers SOAP 1.2 with VersionMismatch', () => {
    try {
      decode('<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body/></e:Envelope>');
      expect.unreachable();
    } catch (err) {
      expect((err as SoapFault).faultCode).toBe('VersionMismatch');
    }
  });

  it('tells an open sink the request failed', () => {
    let aborted = false;
    const decoder = new SoapRequestDecoder(() => ({ writeEscaped() {}, write() {}, end() {}, abort: () => void (aborted = true) }));
    decoder.write(env('<receiveResponseXML xmlns="http://developer.intuit.com/"><ticket>t</ticket><response>abc').replace('</soap:Body></soap:Envelope>', ''));
    expect(() => decoder.end()).toThrow(SoapFault);
    expect(aborted).toBe(true);
  });
});

describe('SOAP responses (golden)', () => {
  it('writes authenticate as exactly four <string> elements in the Intuit namespace, empty ones included', () => {
    expect(encodeResult('authenticate', ['TICKET', '', '', '60'], 'document')).toBe(
      '<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">' +
        '<soap:Body><authenticateResponse xmlns="http://developer.intuit.com/"><authenticateResult><string>TICKET</string><string></string><string></string><string>60</string></authenticateResult></authenticateResponse></soap:Body></soap:Envelope>',
    );
  });

  it('escapes qbXML in sendRequestXMLResult and adds no whitespace', () => {
    const out = encodeResult('sendRequestXML', '<?qbxml version="13.0"?><QBXML><N>A & B</N></QBXML>', 'document');
    expect(out).toContain('<sendRequestXMLResult>&lt;?qbxml version="13.0"?&gt;&lt;QBXML&gt;&lt;N&gt;A &amp; B&lt;/N&gt;&lt;/QBXML&gt;</sendRequestXMLResult>');
    expect(out).not.toMatch(/>\s+</);
  });

  it('answers an RPC-style request in RPC style', () => {
    const out = encodeResult('receiveResponseXML', 100, 'rpc');
    expect(out).toContain('<tns:receiveResponseXMLResponse xmlns:tns="http://developer.intuit.com/"><receiveResponseXMLResult xsi:type="xsd:int">100</receiveResponseXMLResult>');
    expect(readResponseEnvelope('receiveResponseXML', out)).toBe(100);
    expect(readResponseEnvelope('authenticate', encodeResult('authenticate', ['t', 'none', '', ''], 'rpc'))).toEqual(['t', 'none', '', '']);
  });

  it('writes SOAP 1.1 faults', () => {
    const out = encodeFault('Client', 'Unknown method "x<y".');
    expect(out).toContain('<soap:Fault><faultcode>soap:Client</faultcode><faultstring>Unknown method "x&lt;y".</faultstring></soap:Fault>');
    expect(() => readResponseEnvelope('getLastError', out)).toThrow(/SOAP Fault/);
  });

  it('round-trips any string value through the strict QBWC-side reader (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.constantFrom<QbwcMethod>('getLastError', 'sendRequestXML', 'closeConnection'), (s, method) => {
        const clean = s.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '');
        expect(readResponseEnvelope(method, encodeResult(method, clean, 'document'))).toBe(clean);
      }),
      { numRuns: 300 },
    );
  });

  it('the strict reader rejects the WCF array that made real QBWC fail with QBWC1012', () => {
    const capture = fixture('qbwc', 'capture_authenticateResponse_WCF_rejected_QBWC1012_IndexOutOfRange.pastebin-LiD07kF9.txt');
    const envelope = capture.slice(capture.indexOf('<s:Envelope'), capture.indexOf('</s:Envelope>') + '</s:Envelope>'.length);
    expect(() => readResponseEnvelope('authenticate', envelope)).toThrow(/not a <string> in http:\/\/developer.intuit.com\//);
  });
});

describe('WSDL', () => {
  it('declares every method with the parameter names of the Web Connector\'s own WSDL', () => {
    const ours = parseXml(buildWsdl('http://localhost:8520/qbwc'));
    const reference = parseXml(fixture('qbwc', 'wsdl_QBWebConnectorSvc.complete-DERIVED.wsdl'));
    const elements = (wsdl: typeof ours) =>
      Object.fromEntries(
        (wsdl.children.find((c) => c.name === 'wsdl:types')?.children[0]?.children ?? [])
          .filter((e) => e.name === 's:element')
          .map((e) => [e.attrs.name, JSON.stringify(e.children[0]?.children[0]?.children.map((p) => [p.attrs.name, p.attrs.type, p.attrs.minOccurs]) ?? [])]),
      );
    expect(elements(ours)).toEqual(elements(reference));
    expect(buildWsdl('http://localhost:8520/qbwc')).toContain('<soap:address location="http://localhost:8520/qbwc"/>');
  });
});
