/**
 * Reading a request document as QuickBooks' request processor does, before any request
 * runs: well-formed XML, the `<?qbxml version="X.Y"?>` instruction, a version this host
 * supports, and the whole QBXML/QBXMLMsgsRq tree valid against the schema. Any failure
 * rejects the document with an HRESULT instead of a response.
 */
import { loadQbxmlSchema } from '../../qbxml/schema/load';
import { parseQbxmlVersion } from '../../qbxml/version';
import { XmlSyntaxError } from '../../xml/tokenizer';
import { type XmlElement, type XmlTree, parseXmlTree } from '../../xml/tree';
import { checkAttributes, validateElement } from './validate';

export interface HResult {
  hresult: string;
  message: string;
}

/** Real message (qbwc gem fixture, qbwc/qbwc#74, NodeGeeks#14). */
export const PARSE_ERROR: HResult = {
  hresult: '0x80040400',
  message: 'QuickBooks found an error when parsing the provided XML text stream.',
};

/**
 * The request processor's error for a version it does not support. Code and text as
 * QBXMLRP2 reports them to integrations (consolibyte/quickbooks-php's HRESULT list; a
 * C# integration that compares the exception text verbatim, with "QBXML" in capitals).
 */
export const UNSUPPORTED_VERSION: HResult = {
  hresult: '0x80040423',
  message: 'The version of QBXML that was requested is not supported or is unknown.',
};

export type OnError = 'stopOnError' | 'continueOnError' | 'rollbackOnError';

export interface RequestDocument {
  version: string;
  onError: OnError;
  /** responseData="includeNone": answer with statuses only. */
  includeNone: boolean;
  /** newMessageSetID/oldMessageSetID: qbXML error recovery was asked for. */
  errorRecovery: boolean;
  requests: XmlElement[];
}

/** Why a document was rejected, for diagnostics; QuickBooks itself only gives the HRESULT. */
export interface Rejection extends HResult {
  reason: string;
}

const reject = (reason: string, h: HResult = PARSE_ERROR): Rejection => ({ ...h, reason });

export function readRequestDocument(qbxml: string, supportedVersions: readonly string[]): RequestDocument | Rejection {
  let builder: XmlTree;
  try {
    // Leading whitespace is forgiven: whether QuickBooks does is not established.
    builder = parseXmlTree(qbxml.trimStart());
  } catch (err) {
    if (err instanceof XmlSyntaxError) return reject(`not well-formed: ${err.message}`);
    throw err;
  }

  const pis = builder.instructions.filter((p) => p.target === 'qbxml');
  const pi = pis[0];
  if (!pi || pis.length > 1 || !pi.beforeRoot) return reject('the document needs exactly one <?qbxml version="X.Y"?> before <QBXML>');
  const m = /^version\s*=\s*(["'])(.*)\1$/.exec(pi.data);
  if (!m) return reject(`<?qbxml ${pi.data}?> has no version`);
  const version = parseQbxmlVersion(m[2] as string);
  if (!version || !supportedVersions.includes(version.text)) {
    return reject(`qbXML version "${m[2]}" is not among this host's SupportedQBXMLVersion`, UNSUPPORTED_VERSION);
  }

  const root = builder.roots[0] as XmlElement;
  if (root.name !== 'QBXML') return reject(`the root element is <${root.name}>, not <QBXML>`);
  const msgs = root.children[0];
  if (root.children.length !== 1 || msgs?.name !== 'QBXMLMsgsRq' || root.text.trim() !== '') {
    return reject('<QBXML> must contain exactly one <QBXMLMsgsRq>');
  }
  const schema = loadQbxmlSchema();
  const problem = checkAttributes(msgs, schema.msgsRqAttributes);
  if (problem) return reject(problem);
  if (msgs.text.trim() !== '') return reject('<QBXMLMsgsRq> must not contain text');
  for (const rq of msgs.children) {
    const spec = schema.requests.get(rq.name);
    if (!spec) return reject(`<${rq.name}> is not a qbXML request`);
    const invalid = validateElement(rq, spec, version.text);
    if (invalid) return reject(invalid);
  }
  return {
    version: version.text,
    onError: msgs.attrs.onError as OnError,
    includeNone: msgs.attrs.responseData === 'includeNone',
    errorRecovery: 'newMessageSetID' in msgs.attrs || 'oldMessageSetID' in msgs.attrs,
    requests: msgs.children,
  };
}
